/* The README's job example (examples/jobs.c, quoted there verbatim: a unit test checks it)
 * compiles with the test flags and runs to success. */
#define main example_main
#include "../examples/jobs.c"
#undef main

#include "harness.h"

static void test_readme_job_example_runs(void)
{
    CHECK(example_main() == 0);
}

int main(void)
{
    harness_watchdog(30);
    RUN(test_readme_job_example_runs);
    (void)pump;
    (void)harness_init;
    return harness_exit();
}
