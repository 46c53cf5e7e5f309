/* Unit tests for emulator/engine's built-in functions as codegen.c and
 * fn.c implement them: string lengths in SQL Server's units and the
 * 8000-byte limit of non-max results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_engine_rec.h"

/* LEN counts UTF-16 units (a non-BMP character is 2 under a non-_SC
 * collation) and ignores trailing spaces. */
static void test_len(void **state)
{
    struct fx *f = *state;
    EXPECT(f, "SELECT LEN(N'\xF0\x9F\x98\x80') AS a, LEN(N'a\xF0\x9F\x98\x80" "b  ') AS b, LEN('abc  ') AS c,"
              " LEN(123) AS d, LEN('') AS e, LEN(NULL) AS g, LEN(0x0102) AS h",
           "cols:a int,b int,c int,d int,e int,g int,h int\nrow:2|4|3|3|0|NULL|2\ndone:C1\n");
}

/* REPLICATE of a non-max string stops at 8000 bytes (4000 nvarchar
 * characters, never half a surrogate pair); of a max type it does not;
 * SPACE stops at 8000 too. */
static void test_replicate_limits(void **state)
{
    struct fx *f = *state;
    EXPECT(f, "SELECT LEN(REPLICATE('ab', 5000)) AS a, LEN(REPLICATE(N'ab', 5000)) AS b,"
              " LEN(REPLICATE(CAST('ab' AS varchar(max)), 5000)) AS c,"
              " LEN(REPLICATE(N'\xF0\x9F\x98\x80', 3000)) AS d, DATALENGTH(SPACE(9000)) AS e,"
              " REPLICATE('x', 3) AS g, REPLICATE('x', -1) AS h",
           "cols:a int,b int,c bigint,d int,e int,g varchar(8000),h varchar(8000)\n"
           "row:8000|4000|10000|4000|8000|xxx|NULL\ndone:C1\n");
}

/* xml values come back serialised as SQL Server does. */
static void test_xml(void **state)
{
    struct fx *f = *state;
    EXPECT(f, "SELECT CAST(N'<r><e></e><f x=\"1\"/>t</r>' AS xml) AS x",
           "cols:x xml\nrow:<r><e /><f x=\"1\" />t</r>\ndone:C1\n");
    run(f, "CREATE TABLE xt (id int, x xml NULL)");
    run(f, "INSERT INTO xt VALUES (1, '<a b=''1''><c></c></a>')");
    EXPECT(f, "SELECT CAST(x AS nvarchar(max)) AS s FROM xt", "cols:s nvarchar(max)\nrow:<a b=\"1\"><c /></a>\ndone:C1\n");
    EXPECT(f, "INSERT INTO xt VALUES (2, '<a>')",
           "ERR 9400,16,1: XML parsing: line 1, character 4, unexpected end of input\n"
           "INFO 3621,0,0: The statement has been terminated.\ndone:E0\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_len, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_replicate_limits, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_xml, rec_setup, rec_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
