/*
 * Plugins with exactly one defect each, selected at compile time.
 *
 * Everything not named by the variant is a correct plugin, so a loader test
 * proves it rejects the library for the intended reason and no other:
 *   BROKEN_MISSING_SYMBOL  no plugin_get_contact (a required symbol)
 *   BROKEN_API_MAJOR       requires API "2.0.0" (major mismatch)
 *   BROKEN_API_MINOR       requires API "3.99.0" (minor newer than 3.12)
 *   BROKEN_FIELDS_JSON     get_fields returns truncated JSON
 *   BROKEN_CAPS            extract_fields without get_fields (BROKEN capability)
 *   BROKEN_DUP_SOURCE      a second source plugin for "counter", id 1000
 *   BROKEN_DUP_FIELD       an extractor for "counter" exporting counter.seq
 *   BROKEN_DUP_ID          a source plugin with counter's id 999, source "dup_id"
 * BROKEN_PLUGIN_NAME is the plugin name (the library's base name).
 */
#include <stdlib.h>
#include <string.h>

#include "plugin_api/plugin_api.h"
#include "tests/plugins/common/plugin_export.h"

#if defined(BROKEN_DUP_SOURCE) || defined(BROKEN_DUP_ID)
#define BROKEN_HAS_SOURCING 1
#else
#define BROKEN_HAS_SOURCING 0
#endif

#define BROKEN_EVENTS 3
#define BROKEN_PAYLOAD_MAX 32

typedef struct {
  char error[PLUGIN_MAX_ERRLEN];
  uint64_t u64;
} BrokenState;

typedef struct {
  uint64_t next;
  uint8_t buffers[BROKEN_EVENTS][PLUGIN_EVENT_PAYLOAD_OFFSET + BROKEN_PAYLOAD_MAX];
  ss_plugin_event* events[BROKEN_EVENTS];
} BrokenInstance;

BULKHEAD_PLUGIN_EXPORT const char* plugin_get_required_api_version(void) {
#if defined(BROKEN_API_MAJOR)
  return "2.0.0";
#elif defined(BROKEN_API_MINOR)
  return "3.99.0";
#else
  return "3.0.0";
#endif
}

BULKHEAD_PLUGIN_EXPORT const char* plugin_get_version(void) { return "0.1.0"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_name(void) { return BROKEN_PLUGIN_NAME; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_description(void) {
  return "A plugin with one deliberate defect, for bulkhead loader tests";
}
#if !defined(BROKEN_MISSING_SYMBOL)
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_contact(void) { return "bulkhead project"; }
#endif

BULKHEAD_PLUGIN_EXPORT ss_plugin_t* plugin_init(const ss_plugin_init_input* in, ss_plugin_rc* rc) {
  (void)in;
  BrokenState* s = calloc(1, sizeof *s);
  *rc = s != NULL ? SS_PLUGIN_SUCCESS : SS_PLUGIN_FAILURE;
  return s;
}

BULKHEAD_PLUGIN_EXPORT void plugin_destroy(ss_plugin_t* s) { free(s); }

BULKHEAD_PLUGIN_EXPORT const char* plugin_get_last_error(ss_plugin_t* s) {
  return ((BrokenState*)s)->error;
}

#if BROKEN_HAS_SOURCING

BULKHEAD_PLUGIN_EXPORT uint32_t plugin_get_id(void) {
#if defined(BROKEN_DUP_ID)
  return 999;
#else
  return 1000;
#endif
}

BULKHEAD_PLUGIN_EXPORT const char* plugin_get_event_source(void) {
#if defined(BROKEN_DUP_ID)
  return "dup_id";
#else
  return "counter";
#endif
}

BULKHEAD_PLUGIN_EXPORT ss_instance_t* plugin_open(ss_plugin_t* s, const char* params,
                                                  ss_plugin_rc* rc) {
  (void)s;
  (void)params;
  BrokenInstance* in = calloc(1, sizeof *in);
  *rc = in != NULL ? SS_PLUGIN_SUCCESS : SS_PLUGIN_FAILURE;
  return in;
}

BULKHEAD_PLUGIN_EXPORT void plugin_close(ss_plugin_t* s, ss_instance_t* h) {
  (void)s;
  free(h);
}

/* BROKEN_EVENTS events shaped like counter's ({"seq":N}), then EOF. */
BULKHEAD_PLUGIN_EXPORT ss_plugin_rc plugin_next_batch(ss_plugin_t* s, ss_instance_t* h,
                                                      uint32_t* nevts, ss_plugin_event*** evts) {
  (void)s;
  BrokenInstance* in = h;
  *nevts = 0;
  *evts = NULL;
  if (in->next >= BROKEN_EVENTS) return SS_PLUGIN_EOF;
  for (uint32_t i = 0; i < BROKEN_EVENTS; ++i) {
    uint8_t* p = in->buffers[i];
    char payload[BROKEN_PAYLOAD_MAX];
    const uint32_t datalen = (uint32_t)strlen(strcpy(payload, "{\"seq\":0}"));
    payload[7] = (char)('0' + i);
    const uint64_t ts = UINT64_MAX; /* the framework stamps it */
    const uint64_t tid = UINT64_MAX;
    const uint32_t len = PLUGIN_EVENT_PAYLOAD_OFFSET + datalen;
    const uint16_t type = PPME_PLUGINEVENT_E;
    const uint32_t nparams = 2;
    const uint32_t idlen = 4;
    const uint32_t id = plugin_get_id();
    memcpy(p + 0, &ts, 8);
    memcpy(p + 8, &tid, 8);
    memcpy(p + 16, &len, 4);
    memcpy(p + 20, &type, 2);
    memcpy(p + 22, &nparams, 4);
    memcpy(p + 26, &idlen, 4);
    memcpy(p + 30, &datalen, 4);
    memcpy(p + 34, &id, 4);
    memcpy(p + PLUGIN_EVENT_PAYLOAD_OFFSET, payload, datalen);
    in->events[i] = (ss_plugin_event*)p;
  }
  in->next = BROKEN_EVENTS;
  *nevts = BROKEN_EVENTS;
  *evts = in->events;
  return SS_PLUGIN_SUCCESS;
}

#else /* extraction */

#if defined(BROKEN_CAPS)
/* No field list at all: extract_fields alone is the defect. */
#elif defined(BROKEN_FIELDS_JSON)
static const char kFields[] = "[{\"name\":\"broken.len\",\"type\":\"uint64\",\"desc\":\"Event le";
#elif defined(BROKEN_DUP_FIELD)
static const char kFields[] =
    "[{\"name\":\"counter.seq\",\"type\":\"uint64\",\"desc\":\"Also defined by counter\"}]";
#else
static const char kFields[] =
    "[{\"name\":\"broken.len\",\"type\":\"uint64\",\"desc\":\"Event length in bytes\"}]";
#endif

#if !defined(BROKEN_CAPS)
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_fields(void) { return kFields; }
#endif

#if defined(BROKEN_DUP_FIELD)
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_extract_event_sources(void) {
  return "[\"counter\"]";
}
#endif

/* The value: counter.seq read from a {"seq":N...} payload, else the event length. */
static int brokenValue(const ss_plugin_event* evt, uint64_t* out) {
  uint32_t len;
  memcpy(&len, (const uint8_t*)evt + 16, sizeof len);
#if defined(BROKEN_DUP_FIELD)
  static const char kLead[] = "{\"seq\":";
  const size_t lead = sizeof kLead - 1;
  uint16_t type;
  memcpy(&type, (const uint8_t*)evt + 20, sizeof type);
  if (type != PPME_PLUGINEVENT_E || len < PLUGIN_EVENT_PAYLOAD_OFFSET + lead + 1) return 0;
  const char* p = (const char*)evt + PLUGIN_EVENT_PAYLOAD_OFFSET;
  const char* end = (const char*)evt + len;
  if (memcmp(p, kLead, lead) != 0) return 0;
  p += lead;
  uint64_t v = 0;
  int digits = 0;
  while (p < end && *p >= '0' && *p <= '9' && digits < 19) {
    v = v * 10 + (uint64_t)(*p++ - '0');
    ++digits;
  }
  if (digits == 0) return 0;
  *out = v;
  return 1;
#else
  *out = len;
  return 1;
#endif
}

BULKHEAD_PLUGIN_EXPORT ss_plugin_rc plugin_extract_fields(ss_plugin_t* st,
                                                          const ss_plugin_event_input* evt,
                                                          const ss_plugin_field_extract_input* in) {
  BrokenState* s = st;
  for (uint32_t i = 0; i < in->num_fields; ++i) {
    ss_plugin_extract_field* f = &in->fields[i];
    f->res_len = 0;
    /* One field and one storage slot: libsinsp asks for one field per call. */
    if (i == 0 && f->field_id == 0 && brokenValue(evt->evt, &s->u64)) {
      f->res.u64 = &s->u64;
      f->res_len = 1;
    }
  }
  return SS_PLUGIN_SUCCESS;
}

#endif
