/* Unit tests for emulator/value/xml.c: xml text printed back the way SQL
 * Server serialises it, and the parser's error messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "value/value.h"

static char result[2048];

/* The normalised text, or "E<number>: <text>". */
static const char *norm(const char *in)
{
    struct buf b;
    struct value_error e = {0};
    buf_init(&b, 0);
    if (value_xml_normalize((const uint8_t *)in, strlen(in), &b, &e))
        snprintf(result, sizeof(result), "E%d: %s", e.number, e.text);
    else
        snprintf(result, sizeof(result), "%.*s", (int)b.len, b.data ? (const char *)b.data : "");
    buf_free(&b);
    return result;
}

static void test_serialisation(void **state)
{
    (void)state;
    /* empty elements, attribute quoting and spacing */
    assert_string_equal(norm("<r><e></e><f x=\"1\"/>t</r>"), "<r><e /><f x=\"1\" />t</r>");
    assert_string_equal(norm("<a b='1'   c = \"2\" ><c></c></a>"), "<a b=\"1\" c=\"2\"><c /></a>");
    assert_string_equal(norm("<a/>"), "<a />");
    /* the declaration goes, whitespace-only text between markup goes */
    assert_string_equal(norm("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<a>\n  <b> </b>\n</a>\n"), "<a><b /></a>");
    /* references resolved, then only & < > (and " in attributes) escaped */
    assert_string_equal(norm("<a t=\"&quot;x&apos;&#x41;&gt;\">1 &lt; 2 &amp;&#65; &quot;q&quot; &apos;</a>"),
                        "<a t=\"&quot;x'A&gt;\">1 &lt; 2 &amp;A \"q\" '</a>");
    /* CDATA becomes text; comments and processing instructions stay */
    assert_string_equal(norm("<a><![CDATA[<x> & y]]><!-- c --><?pi data?></a>"),
                        "<a>&lt;x&gt; &amp; y<!-- c --><?pi data?></a>");
    /* fragments: several roots, top-level text */
    assert_string_equal(norm("x<a/>y<b></b>"), "x<a />y<b />");
    assert_string_equal(norm(""), "");
    /* xml:space="preserve" keeps whitespace-only text */
    assert_string_equal(norm("<a xml:space=\"preserve\"> <b> </b></a>"), "<a xml:space=\"preserve\"> <b> </b></a>");
    /* attribute whitespace becomes spaces; CRLF in text becomes LF */
    assert_string_equal(norm("<a v=\"1\t2\n3\">x\r\ny</a>"), "<a v=\"1 2 3\">x\ny</a>");
    /* non-ASCII names and text pass through */
    assert_string_equal(norm("<é a=\"ü\">日本</é>"), "<é a=\"ü\">日本</é>");
    /* idempotent */
    assert_string_equal(norm("<r><e /><f x=\"1\" />t</r>"), "<r><e /><f x=\"1\" />t</r>");
}

static void test_errors(void **state)
{
    (void)state;
    assert_string_equal(norm("<a>"), "E9400: XML parsing: line 1, character 4, unexpected end of input");
    assert_string_equal(norm("<a><b></a>"), "E9436: XML parsing: line 1, character 10, end tag does not match start tag");
    assert_string_equal(norm("<a>\n</b>"), "E9436: XML parsing: line 2, character 4, end tag does not match start tag");
    assert_string_equal(norm("<1a/>"), "E9455: XML parsing: line 1, character 2, illegal qualified name character");
    assert_string_equal(norm("<a x=1/>"), "E9413: XML parsing: line 1, character 6, A string literal was expected");
    assert_string_equal(norm("<a x=\"1\" x=\"2\"/>"), "E9465: XML parsing: line 1, character 11, well formed check: redefinition of attribute");
    assert_string_equal(norm("<a>&bogus;</a>"), "E9448: XML parsing: line 1, character 10, well formed check: undeclared entity");
    assert_string_equal(norm("<a>&amp</a>"), "E9411: XML parsing: line 1, character 8, semicolon expected");
    assert_string_equal(norm("</a>"), "E9436: XML parsing: line 1, character 1, end tag does not match start tag");
    assert_string_equal(norm("<a/><?xml version=\"1.0\"?>"), "E9438: XML parsing: line 1, character 5, text/xmldecl not at the beginning of input");
    assert_string_equal(norm("<!DOCTYPE a><a/>"),
                        "E6359: Parsing XML with internal subset DTDs not allowed. Use CONVERT with style option 2 to enable limited internal subset DTD support.");
}

/* value_convert to xml stores the serialised form; back to nvarchar it is
 * what SQL Server shows. */
static void test_convert(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 0, 0);
    struct tl_type nv = {TL_T_NVARCHAR, TL_MAX, 0, 0}, x = {TL_T_XML, 0, 0, 0};
    const char *in = "<a><b></b></a>";
    struct tl_value v = {TL_V_TEXT, 0, 0, (const uint8_t *)in, strlen(in)}, out;
    struct value_error e;
    assert_int_equal(value_convert(&v, &nv, &x, -1, true, NULL, NULL, &a, &out, &e), 0);
    assert_int_equal(out.kind, TL_V_TEXT);
    assert_int_equal((int)out.n, 12);
    assert_memory_equal(out.p, "<a><b /></a>", 12);
    v.p = (const uint8_t *)"<a>";
    v.n = 3;
    assert_int_equal(value_convert(&v, &nv, &x, -1, true, NULL, NULL, &a, &out, &e), -1);
    assert_int_equal(e.number, 9400);
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serialisation),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_convert),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
