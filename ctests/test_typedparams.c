/* libvirt's typed-parameter helpers as a C program uses them: Add* grows a malloc'd array and
 * refuses a name twice, Get* finds by name and type, Clear/Free release strings and array. */
#include "harness.h"

static void test_add_and_get_every_type(void)
{
    virTypedParameterPtr params = NULL;
    int n = 0, max = 0;
    CHECK(virTypedParamsAddInt(&params, &n, &max, "i", -7) == 0);
    CHECK(virTypedParamsAddUInt(&params, &n, &max, "ui", 7u) == 0);
    CHECK(virTypedParamsAddLLong(&params, &n, &max, "l", -(1LL << 40)) == 0);
    CHECK(virTypedParamsAddULLong(&params, &n, &max, "ul", 1ULL << 50) == 0);
    CHECK(virTypedParamsAddDouble(&params, &n, &max, "d", 2.5) == 0);
    CHECK(virTypedParamsAddBoolean(&params, &n, &max, "b", 42) == 0);
    CHECK(virTypedParamsAddString(&params, &n, &max, "s", "text") == 0);
    CHECK(n == 7 && max >= n);

    int i = 0, b = 0;
    unsigned ui = 0;
    long long l = 0;
    unsigned long long ul = 0;
    double d = 0;
    const char *s = NULL;
    CHECK(virTypedParamsGetInt(params, n, "i", &i) == 1 && i == -7);
    CHECK(virTypedParamsGetUInt(params, n, "ui", &ui) == 1 && ui == 7u);
    CHECK(virTypedParamsGetLLong(params, n, "l", &l) == 1 && l == -(1LL << 40));
    CHECK(virTypedParamsGetULLong(params, n, "ul", &ul) == 1 && ul == 1ULL << 50);
    CHECK(virTypedParamsGetDouble(params, n, "d", &d) == 1 && d == 2.5);
    CHECK(virTypedParamsGetBoolean(params, n, "b", &b) == 1 && b == 1);
    CHECK(virTypedParamsGetString(params, n, "s", &s) == 1 && strcmp(s, "text") == 0);
    CHECK(virTypedParamsGet(params, n, "ul") == &params[3]);
    CHECK(virTypedParamsGet(params, n, "absent") == NULL);
    CHECK(virTypedParamsGetInt(params, n, "absent", &i) == 0);

    /* wrong type, duplicate name, NULL value: -1 with a message */
    CHECK(virTypedParamsGetInt(params, n, "s", &i) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(strstr(virGetLastErrorMessage(), "'s'") != NULL);
    CHECK(virTypedParamsAddInt(&params, &n, &max, "i", 1) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(n == 7);
    CHECK(virTypedParamsGetInt(params, n, "i", NULL) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    char longname[100];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    CHECK(virTypedParamsAddInt(&params, &n, &max, longname, 1) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virTypedParamsAddInt(NULL, &n, &max, "x", 1) == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    virTypedParamsFree(params, n);
}

static void test_string_list_from_string_and_clear(void)
{
    virTypedParameterPtr params = NULL;
    int n = 0, max = 0;
    const char *values[] = {"a", "b", "c", NULL};
    CHECK(virTypedParamsAddStringList(&params, &n, &max, "disk", values) == 0);
    CHECK(n == 3);
    CHECK(virTypedParamsAddFromString(&params, &n, &max, "speed", VIR_TYPED_PARAM_ULLONG, "123") == 0);
    CHECK(virTypedParamsAddFromString(&params, &n, &max, "flag", VIR_TYPED_PARAM_BOOLEAN, "yes") == 0);
    CHECK(virTypedParamsAddFromString(&params, &n, &max, "name", VIR_TYPED_PARAM_STRING, "vm") == 0);
    CHECK(virTypedParamsAddFromString(&params, &n, &max, "bad", VIR_TYPED_PARAM_INT, "12x") == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    CHECK(virTypedParamsAddFromString(&params, &n, &max, "bad", 99, "1") == -1);
    EXPECT_ERROR(VIR_ERR_INVALID_ARG);
    unsigned long long speed = 0;
    int flag = 0;
    const char *first = NULL;
    CHECK(virTypedParamsGetULLong(params, n, "speed", &speed) == 1 && speed == 123);
    CHECK(virTypedParamsGetBoolean(params, n, "flag", &flag) == 1 && flag == 1);
    CHECK(virTypedParamsGetString(params, n, "disk", &first) == 1 && strcmp(first, "a") == 0);
    CHECK(n == 6);
    virTypedParamsClear(params, n);
    free(params);
    virTypedParamsFree(NULL, 0); /* ignored, as free(NULL) */
}

int main(void)
{
    harness_watchdog(30);
    harness_init();
    RUN(test_add_and_get_every_type);
    RUN(test_string_list_from_string_and_clear);
    (void)pump; /* no events here */
    return harness_exit();
}
