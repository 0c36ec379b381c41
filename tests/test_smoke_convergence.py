from tests.pg import assert_converges


def test_add_table_and_index(pg):
    result = assert_converges(
        pg,
        "CREATE TABLE a (id int PRIMARY KEY);",
        "CREATE TABLE a (id int PRIMARY KEY, v text); CREATE INDEX a_v ON a (v);",
    )
    assert any("CONCURRENTLY" in s for s in result.sql)


def test_in_list_check_that_prints_differently_converges(pg):
    assert_converges(
        pg,
        "CREATE TABLE runs (status varchar(50));",
        "CREATE TABLE runs (status varchar(50) CHECK (status IN ('pending', 'running')));"
        "CREATE INDEX runs_active ON runs (status) WHERE status IN ('running', 'failed');",
    )
