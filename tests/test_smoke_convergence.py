from tests.pg import assert_converges


def test_add_table_and_index(pg):
    result = assert_converges(
        pg,
        "CREATE TABLE a (id int PRIMARY KEY);",
        "CREATE TABLE a (id int PRIMARY KEY, v text); CREATE INDEX a_v ON a (v);",
    )
    assert any("CONCURRENTLY" in s for s in result.sql)
