/*
 * fixture_stubs.h — the lifecycle entry points most test fixtures share, so each
 * fixture file shows only what it does differently.
 *
 *   create_instance   no instance state (*instance = NULL), CAP_OK
 *   check_health      CAP_OK
 *   destroy_instance  nothing to free
 *
 *   invoke_nothing    CAP_OK with no body, whatever is called (only with FIXTURE_NOOP_INVOKE)
 *
 * A fixture that needs its own version of one defines FIXTURE_OWN_CREATE,
 * FIXTURE_OWN_HEALTH or FIXTURE_OWN_DESTROY before including this header, and
 * writes that function itself. Include it after <caphost_plugin.h>.
 */
#ifndef CAPHOST_FIXTURE_STUBS_H
#define CAPHOST_FIXTURE_STUBS_H

#include <caphost_plugin.h>

#ifndef FIXTURE_OWN_CREATE
/* No instance state: the fixture's behaviour lives in its other entry points. */
__attribute__((unused))
static cap_status create_instance(const cap_host_api *host_api, cap_host *host, cap_str config, cap_call *call,
                                  void **instance) {
    (void)host_api;
    (void)host;
    (void)config;
    (void)call;
    *instance = NULL;
    return CAP_OK;
}
#endif

#ifndef FIXTURE_OWN_HEALTH
/* Always healthy. */
__attribute__((unused))
static cap_status check_health(void *instance, cap_call *call) {
    (void)instance;
    (void)call;
    return CAP_OK;
}
#endif

#ifndef FIXTURE_OWN_DESTROY
/* Nothing to free. */
__attribute__((unused))
static void destroy_instance(void *instance) {
    (void)instance;
}
#endif

#ifdef FIXTURE_NOOP_INVOKE
/* Answers every call with CAP_OK and no body: for fixtures whose point is elsewhere. */
__attribute__((unused))
static cap_status invoke_nothing(void *instance, uint32_t capability, uint32_t method, cap_str payload,
                                 uint64_t deadline_ns, cap_call *call, cap_buffer *out) {
    (void)instance;
    (void)capability;
    (void)method;
    (void)payload;
    (void)deadline_ns;
    (void)call;
    (void)out;
    return CAP_OK;
}
#endif

#endif
