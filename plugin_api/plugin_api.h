/*
 * The Falco plugin C ABI (API 3.12.0), declared for bulkhead.
 *
 * Written from the field-by-field description in docs (plugin-abi.md): names,
 * types and layout are the ABI's; every struct that crosses the boundary has
 * its size and member offsets asserted at the bottom of this file, so a
 * mistake here fails the build instead of corrupting a plugin call.
 *
 * Ownership, as the ABI defines it:
 *  - memory a plugin returns is the plugin's; it stays valid until the next
 *    call of the same function on the same state/instance, close or destroy;
 *  - memory the framework passes in (inputs, vtables, event pointers, config
 *    strings) is valid only for the duration of the call.
 */
#ifndef BULKHEAD_PLUGIN_API_PLUGIN_API_H_
#define BULKHEAD_PLUGIN_API_PLUGIN_API_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PLUGIN_API_VERSION_MAJOR 3
#define PLUGIN_API_VERSION_MINOR 12
#define PLUGIN_API_VERSION_PATCH 0

#define PLUGIN_MAX_ERRLEN 1024
#define PLUGIN_EVENT_PAYLOAD_OFFSET 38

/* libscap event codes that plugins produce. */
#define PPME_PLUGINEVENT_E 322
#define PPME_ASYNCEVENT_E 402

/* Opaque handles. */
typedef void ss_plugin_t;
typedef void ss_instance_t;
typedef void ss_plugin_owner_t;
typedef void ss_plugin_table_t;
typedef void ss_plugin_table_entry_t;
typedef void ss_plugin_table_field_t;
typedef void ss_plugin_table_iterator_state_t;
typedef void ss_plugin_routine_t;
typedef void ss_plugin_routine_state_t;

typedef uint32_t ss_plugin_bool;

typedef enum ss_plugin_rc {
  SS_PLUGIN_SUCCESS = 0,
  SS_PLUGIN_FAILURE = 1,
  SS_PLUGIN_TIMEOUT = -1,
  SS_PLUGIN_EOF = 2,
  SS_PLUGIN_NOT_SUPPORTED = 3,
} ss_plugin_rc;

/* Equal to the libscap PT_* codes. */
typedef enum ss_plugin_field_type {
  FTYPE_UINT64 = 8,
  FTYPE_STRING = 9,
  FTYPE_RELTIME = 20,
  FTYPE_ABSTIME = 21,
  FTYPE_BOOL = 25,
  FTYPE_IPADDR = 40,
  FTYPE_IPNET = 41,
} ss_plugin_field_type;

typedef enum ss_plugin_schema_type {
  SS_PLUGIN_SCHEMA_NONE = 0,
  SS_PLUGIN_SCHEMA_JSON = 1,
} ss_plugin_schema_type;

typedef enum ss_plugin_state_type {
  SS_PLUGIN_ST_INT8 = 1,
  SS_PLUGIN_ST_INT16 = 2,
  SS_PLUGIN_ST_INT32 = 3,
  SS_PLUGIN_ST_INT64 = 4,
  SS_PLUGIN_ST_UINT8 = 5,
  SS_PLUGIN_ST_UINT16 = 6,
  SS_PLUGIN_ST_UINT32 = 7,
  SS_PLUGIN_ST_UINT64 = 8,
  SS_PLUGIN_ST_STRING = 9,
  SS_PLUGIN_ST_TABLE = 10,
  SS_PLUGIN_ST_BOOL = 25,
} ss_plugin_state_type;

typedef enum ss_plugin_log_severity {
  SS_PLUGIN_LOG_SEV_FATAL = 1,
  SS_PLUGIN_LOG_SEV_CRITICAL = 2,
  SS_PLUGIN_LOG_SEV_ERROR = 3,
  SS_PLUGIN_LOG_SEV_WARNING = 4,
  SS_PLUGIN_LOG_SEV_NOTICE = 5,
  SS_PLUGIN_LOG_SEV_INFO = 6,
  SS_PLUGIN_LOG_SEV_DEBUG = 7,
  SS_PLUGIN_LOG_SEV_TRACE = 8,
} ss_plugin_log_severity;

typedef enum ss_plugin_metric_type {
  SS_PLUGIN_METRIC_TYPE_MONOTONIC = 0,
  SS_PLUGIN_METRIC_TYPE_NON_MONOTONIC = 1,
} ss_plugin_metric_type;

typedef enum ss_plugin_metric_value_type {
  SS_PLUGIN_METRIC_VALUE_TYPE_U32 = 0,
  SS_PLUGIN_METRIC_VALUE_TYPE_S32 = 1,
  SS_PLUGIN_METRIC_VALUE_TYPE_U64 = 2,
  SS_PLUGIN_METRIC_VALUE_TYPE_S64 = 3,
  SS_PLUGIN_METRIC_VALUE_TYPE_D = 4,
  SS_PLUGIN_METRIC_VALUE_TYPE_F = 5,
  SS_PLUGIN_METRIC_VALUE_TYPE_I = 6,
} ss_plugin_metric_value_type;

/* Capability bits, as the framework reports them. */
typedef enum ss_plugin_caps {
  CAP_NONE = 0,
  CAP_SOURCING = 1 << 0,
  CAP_EXTRACTION = 1 << 1,
  CAP_PARSING = 1 << 2,
  CAP_ASYNC = 1 << 3,
  CAP_CAPTURE_LISTENING = 1 << 4,
  CAP_BROKEN = 1u << 31,
} ss_plugin_caps;

/*
 * The event header: identical to libscap's ppm_evt_hdr, byte-packed, so every
 * member after `type` is misaligned. Read members through memcpy.
 * Parameters follow the header: nparams lengths (uint32_t for both plugin
 * event types), then the parameter bytes.
 */
#pragma pack(push, 1)
typedef struct ss_plugin_event {
  uint64_t ts;      /* ns since epoch; UINT64_MAX: the framework stamps it */
  uint64_t tid;     /* UINT64_MAX: no thread */
  uint32_t len;     /* whole event, header included */
  uint16_t type;    /* libscap event code */
  uint32_t nparams; /* number of parameters */
} ss_plugin_event;
#pragma pack(pop)

typedef struct ss_plugin_event_input {
  const ss_plugin_event* evt;
  uint64_t evtnum;
  const char* evtsrc;
} ss_plugin_event_input;

typedef struct ss_plugin_byte_buffer {
  uint32_t len;
  const void* ptr;
} ss_plugin_byte_buffer;

typedef struct ss_plugin_extract_value_offsets {
  uint32_t* start;
  uint32_t* length;
} ss_plugin_extract_value_offsets;

typedef struct ss_plugin_extract_field {
  /* Outputs, owned by the plugin until its next extract_fields call. */
  union {
    const char** str;
    uint64_t* u64;
    uint32_t* u32;
    ss_plugin_bool* boolean;
    ss_plugin_byte_buffer* buf;
  } res;
  uint64_t res_len;
  /* Inputs. */
  uint32_t field_id;
  const char* field;
  const char* arg_key;
  uint64_t arg_index;
  ss_plugin_bool arg_present;
  uint32_t ftype;
  ss_plugin_bool flist;
} ss_plugin_extract_field;

typedef const char* (*ss_plugin_get_owner_last_error_fn)(ss_plugin_owner_t* o);

typedef void (*ss_plugin_log_fn_t)(ss_plugin_owner_t* o, const char* component, const char* msg,
                                   ss_plugin_log_severity sev);

/* ---- state tables ---- */

typedef union ss_plugin_state_data {
  int8_t s8;
  int16_t s16;
  int32_t s32;
  int64_t s64;
  uint8_t u8;
  uint16_t u16;
  uint32_t u32;
  uint64_t u64;
  const char* str;
  ss_plugin_bool b;
  ss_plugin_table_t* table;
} ss_plugin_state_data;

typedef struct ss_plugin_table_info {
  const char* name;
  ss_plugin_state_type key_type;
} ss_plugin_table_info;

typedef struct ss_plugin_table_fieldinfo {
  const char* name;
  ss_plugin_state_type field_type;
  ss_plugin_bool read_only;
} ss_plugin_table_fieldinfo;

typedef ss_plugin_bool (*ss_plugin_table_iterator_func_t)(ss_plugin_table_iterator_state_t* s,
                                                          ss_plugin_table_entry_t* e);

typedef struct ss_plugin_table_fields_vtable {
  const ss_plugin_table_fieldinfo* (*list_table_fields)(ss_plugin_table_t* t, uint32_t* nfields);
  ss_plugin_table_field_t* (*get_table_field)(ss_plugin_table_t* t, const char* name,
                                              ss_plugin_state_type data_type);
  ss_plugin_table_field_t* (*add_table_field)(ss_plugin_table_t* t, const char* name,
                                              ss_plugin_state_type data_type);
} ss_plugin_table_fields_vtable;

/* Since 3.1 the _ext vtables are separate, same members for fields. */
typedef ss_plugin_table_fields_vtable ss_plugin_table_fields_vtable_ext;

typedef struct ss_plugin_table_reader_vtable {
  const char* (*get_table_name)(ss_plugin_table_t* t);
  uint64_t (*get_table_size)(ss_plugin_table_t* t);
  ss_plugin_table_entry_t* (*get_table_entry)(ss_plugin_table_t* t,
                                              const ss_plugin_state_data* key);
  ss_plugin_rc (*read_entry_field)(ss_plugin_table_t* t, ss_plugin_table_entry_t* e,
                                   const ss_plugin_table_field_t* f, ss_plugin_state_data* out);
} ss_plugin_table_reader_vtable;

typedef struct ss_plugin_table_reader_vtable_ext {
  const char* (*get_table_name)(ss_plugin_table_t* t);
  uint64_t (*get_table_size)(ss_plugin_table_t* t);
  ss_plugin_table_entry_t* (*get_table_entry)(ss_plugin_table_t* t,
                                              const ss_plugin_state_data* key);
  ss_plugin_rc (*read_entry_field)(ss_plugin_table_t* t, ss_plugin_table_entry_t* e,
                                   const ss_plugin_table_field_t* f, ss_plugin_state_data* out);
  void (*release_table_entry)(ss_plugin_table_t* t, ss_plugin_table_entry_t* e);
  ss_plugin_bool (*iterate_entries)(ss_plugin_table_t* t, ss_plugin_table_iterator_func_t it,
                                    ss_plugin_table_iterator_state_t* s);
} ss_plugin_table_reader_vtable_ext;

typedef struct ss_plugin_table_writer_vtable {
  ss_plugin_rc (*clear_table)(ss_plugin_table_t* t);
  ss_plugin_rc (*erase_table_entry)(ss_plugin_table_t* t, const ss_plugin_state_data* key);
  ss_plugin_table_entry_t* (*create_table_entry)(ss_plugin_table_t* t);
  void (*destroy_table_entry)(ss_plugin_table_t* t, ss_plugin_table_entry_t* e);
  ss_plugin_table_entry_t* (*add_table_entry)(ss_plugin_table_t* t,
                                              const ss_plugin_state_data* key,
                                              ss_plugin_table_entry_t* entry);
  ss_plugin_rc (*write_entry_field)(ss_plugin_table_t* t, ss_plugin_table_entry_t* e,
                                    const ss_plugin_table_field_t* f,
                                    const ss_plugin_state_data* in);
} ss_plugin_table_writer_vtable;

typedef ss_plugin_table_writer_vtable ss_plugin_table_writer_vtable_ext;

/* What a plugin hands to add_table to export a table of its own. */
typedef struct ss_plugin_table_input {
  const char* name;
  ss_plugin_state_type key_type;
  ss_plugin_table_t* table;
  ss_plugin_table_reader_vtable reader;
  ss_plugin_table_writer_vtable writer;
  ss_plugin_table_fields_vtable fields;
  ss_plugin_table_reader_vtable_ext* reader_ext;
  ss_plugin_table_writer_vtable_ext* writer_ext;
  ss_plugin_table_fields_vtable_ext* fields_ext;
} ss_plugin_table_input;

typedef struct ss_plugin_init_tables_input {
  ss_plugin_table_info* (*list_tables)(ss_plugin_owner_t* o, uint32_t* ntables);
  ss_plugin_table_t* (*get_table)(ss_plugin_owner_t* o, const char* name,
                                  ss_plugin_state_type key_type);
  ss_plugin_rc (*add_table)(ss_plugin_owner_t* o, const ss_plugin_table_input* in);
  ss_plugin_table_fields_vtable fields;
  ss_plugin_table_fields_vtable_ext* fields_ext;
  ss_plugin_table_reader_vtable_ext* reader_ext;
  ss_plugin_table_writer_vtable_ext* writer_ext;
} ss_plugin_init_tables_input;

/* ---- call inputs ---- */

typedef struct ss_plugin_init_input {
  const char* config;
  ss_plugin_owner_t* owner;
  ss_plugin_get_owner_last_error_fn get_owner_last_error;
  const ss_plugin_init_tables_input* tables; /* NULL unless parsing or extraction */
  ss_plugin_log_fn_t log_fn;
} ss_plugin_init_input;

typedef struct ss_plugin_field_extract_input {
  ss_plugin_owner_t* owner;
  ss_plugin_get_owner_last_error_fn get_owner_last_error;
  uint32_t num_fields;
  ss_plugin_extract_field* fields;
  ss_plugin_table_reader_vtable table_reader; /* deprecated inline copy */
  ss_plugin_table_reader_vtable_ext* table_reader_ext;
  ss_plugin_extract_value_offsets* value_offsets; /* NULL: offsets not wanted */
} ss_plugin_field_extract_input;

typedef struct ss_plugin_event_parse_input {
  ss_plugin_owner_t* owner;
  ss_plugin_get_owner_last_error_fn get_owner_last_error;
  ss_plugin_table_reader_vtable table_reader;
  ss_plugin_table_writer_vtable table_writer;
  ss_plugin_table_reader_vtable_ext* table_reader_ext;
  ss_plugin_table_writer_vtable_ext* table_writer_ext;
} ss_plugin_event_parse_input;

typedef struct ss_plugin_set_config_input {
  const char* config;
} ss_plugin_set_config_input;

typedef ss_plugin_bool (*ss_plugin_routine_fn_t)(ss_plugin_t* s, ss_plugin_routine_state_t* i);

typedef struct ss_plugin_routine_vtable {
  ss_plugin_routine_t* (*subscribe)(ss_plugin_owner_t* o, ss_plugin_routine_fn_t f,
                                    ss_plugin_routine_state_t* i);
  ss_plugin_rc (*unsubscribe)(ss_plugin_owner_t* o, ss_plugin_routine_t* r);
} ss_plugin_routine_vtable;

typedef struct ss_plugin_capture_listen_input {
  ss_plugin_owner_t* owner;
  ss_plugin_routine_vtable* routine;
  ss_plugin_table_reader_vtable_ext* table_reader_ext;
  ss_plugin_table_writer_vtable_ext* table_writer_ext;
  ss_plugin_get_owner_last_error_fn get_owner_last_error;
} ss_plugin_capture_listen_input;

typedef union ss_plugin_metric_value {
  uint32_t u32;
  int32_t s32;
  uint64_t u64;
  int64_t s64;
  double d;
  float f;
  int i;
} ss_plugin_metric_value;

typedef struct ss_plugin_metric {
  const char* name;
  ss_plugin_metric_type type;
  ss_plugin_metric_value value;
  ss_plugin_metric_value_type value_type;
} ss_plugin_metric;

/* `err` is NULL or a plugin-owned PLUGIN_MAX_ERRLEN buffer filled on FAILURE. */
typedef ss_plugin_rc (*ss_plugin_async_event_handler_t)(ss_plugin_owner_t* o,
                                                        const ss_plugin_event* evt, char* err);

/* ---- the exported functions, looked up as "plugin_<name>" ---- */

typedef const char* (*plugin_get_required_api_version_fn)(void);
typedef const char* (*plugin_get_version_fn)(void);
typedef const char* (*plugin_get_name_fn)(void);
typedef const char* (*plugin_get_description_fn)(void);
typedef const char* (*plugin_get_contact_fn)(void);
typedef ss_plugin_t* (*plugin_init_fn)(const ss_plugin_init_input* in, ss_plugin_rc* rc);
typedef void (*plugin_destroy_fn)(ss_plugin_t* s);
typedef const char* (*plugin_get_last_error_fn)(ss_plugin_t* s);
typedef const char* (*plugin_get_init_schema_fn)(ss_plugin_schema_type* schema_type);
typedef ss_plugin_rc (*plugin_set_config_fn)(ss_plugin_t* s, const ss_plugin_set_config_input* in);
typedef ss_plugin_metric* (*plugin_get_metrics_fn)(ss_plugin_t* s, uint32_t* num_metrics);
typedef const char* (*plugin_get_required_event_schema_version_fn)(ss_plugin_t* s);

typedef uint32_t (*plugin_get_id_fn)(void);
typedef const char* (*plugin_get_event_source_fn)(void);
typedef ss_instance_t* (*plugin_open_fn)(ss_plugin_t* s, const char* params, ss_plugin_rc* rc);
typedef void (*plugin_close_fn)(ss_plugin_t* s, ss_instance_t* h);
typedef ss_plugin_rc (*plugin_next_batch_fn)(ss_plugin_t* s, ss_instance_t* h, uint32_t* nevts,
                                             ss_plugin_event*** evts);
typedef const char* (*plugin_get_progress_fn)(ss_plugin_t* s, ss_instance_t* h,
                                              uint32_t* progress_pct);
typedef const char* (*plugin_list_open_params_fn)(ss_plugin_t* s, ss_plugin_rc* rc);
typedef const char* (*plugin_event_to_string_fn)(ss_plugin_t* s, const ss_plugin_event_input* evt);

typedef const char* (*plugin_get_fields_fn)(void);
typedef ss_plugin_rc (*plugin_extract_fields_fn)(ss_plugin_t* s, const ss_plugin_event_input* evt,
                                                 const ss_plugin_field_extract_input* in);
typedef const char* (*plugin_get_extract_event_sources_fn)(void);
typedef uint16_t* (*plugin_get_extract_event_types_fn)(uint32_t* numtypes, ss_plugin_t* s);

typedef ss_plugin_rc (*plugin_parse_event_fn)(ss_plugin_t* s, const ss_plugin_event_input* evt,
                                              const ss_plugin_event_parse_input* in);
typedef const char* (*plugin_get_parse_event_sources_fn)(void);
typedef uint16_t* (*plugin_get_parse_event_types_fn)(uint32_t* numtypes, ss_plugin_t* s);

typedef const char* (*plugin_get_async_events_fn)(void);
typedef const char* (*plugin_get_async_event_sources_fn)(void);
typedef ss_plugin_rc (*plugin_set_async_event_handler_fn)(ss_plugin_t* s, ss_plugin_owner_t* owner,
                                                          ss_plugin_async_event_handler_t h);
typedef ss_plugin_rc (*plugin_dump_state_fn)(ss_plugin_t* s, ss_plugin_owner_t* owner,
                                             ss_plugin_async_event_handler_t h);

typedef ss_plugin_rc (*plugin_capture_open_fn)(ss_plugin_t* s,
                                               const ss_plugin_capture_listen_input* in);
typedef ss_plugin_rc (*plugin_capture_close_fn)(ss_plugin_t* s,
                                                const ss_plugin_capture_listen_input* in);

#ifdef __cplusplus
}  // extern "C"
#endif

/* ---- layout checks (LP64) ---- */
#ifdef __cplusplus
#define BULKHEAD_ABI_ASSERT(c, m) static_assert(c, m)
#else
#define BULKHEAD_ABI_ASSERT(c, m) _Static_assert(c, m)
#endif
#define BULKHEAD_ABI_SIZE(T, n) BULKHEAD_ABI_ASSERT(sizeof(T) == (n), #T " size")
#define BULKHEAD_ABI_OFF(T, m, n) BULKHEAD_ABI_ASSERT(offsetof(T, m) == (n), #T "." #m " offset")

BULKHEAD_ABI_ASSERT(sizeof(void*) == 8, "the plugin ABI layout is checked for LP64 targets only");
BULKHEAD_ABI_SIZE(ss_plugin_rc, 4);
BULKHEAD_ABI_SIZE(ss_plugin_event, 26);
BULKHEAD_ABI_OFF(ss_plugin_event, ts, 0);
BULKHEAD_ABI_OFF(ss_plugin_event, tid, 8);
BULKHEAD_ABI_OFF(ss_plugin_event, len, 16);
BULKHEAD_ABI_OFF(ss_plugin_event, type, 20);
BULKHEAD_ABI_OFF(ss_plugin_event, nparams, 22);
BULKHEAD_ABI_SIZE(ss_plugin_event_input, 24);
BULKHEAD_ABI_OFF(ss_plugin_event_input, evtnum, 8);
BULKHEAD_ABI_OFF(ss_plugin_event_input, evtsrc, 16);
BULKHEAD_ABI_SIZE(ss_plugin_byte_buffer, 16);
BULKHEAD_ABI_OFF(ss_plugin_byte_buffer, ptr, 8);
BULKHEAD_ABI_SIZE(ss_plugin_extract_value_offsets, 16);
BULKHEAD_ABI_SIZE(ss_plugin_extract_field, 64);
BULKHEAD_ABI_OFF(ss_plugin_extract_field, res_len, 8);
BULKHEAD_ABI_OFF(ss_plugin_extract_field, field_id, 16);
BULKHEAD_ABI_OFF(ss_plugin_extract_field, field, 24);
BULKHEAD_ABI_OFF(ss_plugin_extract_field, arg_key, 32);
BULKHEAD_ABI_OFF(ss_plugin_extract_field, arg_index, 40);
BULKHEAD_ABI_OFF(ss_plugin_extract_field, arg_present, 48);
BULKHEAD_ABI_OFF(ss_plugin_extract_field, ftype, 52);
BULKHEAD_ABI_OFF(ss_plugin_extract_field, flist, 56);
BULKHEAD_ABI_SIZE(ss_plugin_state_data, 8);
BULKHEAD_ABI_SIZE(ss_plugin_table_info, 16);
BULKHEAD_ABI_SIZE(ss_plugin_table_fieldinfo, 16);
BULKHEAD_ABI_SIZE(ss_plugin_table_fields_vtable, 24);
BULKHEAD_ABI_SIZE(ss_plugin_table_reader_vtable, 32);
BULKHEAD_ABI_SIZE(ss_plugin_table_reader_vtable_ext, 48);
BULKHEAD_ABI_SIZE(ss_plugin_table_writer_vtable, 48);
BULKHEAD_ABI_SIZE(ss_plugin_table_input, 152);
BULKHEAD_ABI_OFF(ss_plugin_table_input, table, 16);
BULKHEAD_ABI_OFF(ss_plugin_table_input, reader, 24);
BULKHEAD_ABI_OFF(ss_plugin_table_input, writer, 56);
BULKHEAD_ABI_OFF(ss_plugin_table_input, fields, 104);
BULKHEAD_ABI_OFF(ss_plugin_table_input, reader_ext, 128);
BULKHEAD_ABI_OFF(ss_plugin_table_input, writer_ext, 136);
BULKHEAD_ABI_OFF(ss_plugin_table_input, fields_ext, 144);
BULKHEAD_ABI_SIZE(ss_plugin_init_tables_input, 72);
BULKHEAD_ABI_OFF(ss_plugin_init_tables_input, fields, 24);
BULKHEAD_ABI_OFF(ss_plugin_init_tables_input, fields_ext, 48);
BULKHEAD_ABI_OFF(ss_plugin_init_tables_input, reader_ext, 56);
BULKHEAD_ABI_OFF(ss_plugin_init_tables_input, writer_ext, 64);
BULKHEAD_ABI_SIZE(ss_plugin_init_input, 40);
BULKHEAD_ABI_OFF(ss_plugin_init_input, owner, 8);
BULKHEAD_ABI_OFF(ss_plugin_init_input, get_owner_last_error, 16);
BULKHEAD_ABI_OFF(ss_plugin_init_input, tables, 24);
BULKHEAD_ABI_OFF(ss_plugin_init_input, log_fn, 32);
BULKHEAD_ABI_SIZE(ss_plugin_field_extract_input, 80);
BULKHEAD_ABI_OFF(ss_plugin_field_extract_input, num_fields, 16);
BULKHEAD_ABI_OFF(ss_plugin_field_extract_input, fields, 24);
BULKHEAD_ABI_OFF(ss_plugin_field_extract_input, table_reader, 32);
BULKHEAD_ABI_OFF(ss_plugin_field_extract_input, table_reader_ext, 64);
BULKHEAD_ABI_OFF(ss_plugin_field_extract_input, value_offsets, 72);
BULKHEAD_ABI_SIZE(ss_plugin_event_parse_input, 112);
BULKHEAD_ABI_OFF(ss_plugin_event_parse_input, table_reader, 16);
BULKHEAD_ABI_OFF(ss_plugin_event_parse_input, table_writer, 48);
BULKHEAD_ABI_OFF(ss_plugin_event_parse_input, table_reader_ext, 96);
BULKHEAD_ABI_OFF(ss_plugin_event_parse_input, table_writer_ext, 104);
BULKHEAD_ABI_SIZE(ss_plugin_set_config_input, 8);
BULKHEAD_ABI_SIZE(ss_plugin_routine_vtable, 16);
BULKHEAD_ABI_SIZE(ss_plugin_capture_listen_input, 40);
BULKHEAD_ABI_OFF(ss_plugin_capture_listen_input, routine, 8);
BULKHEAD_ABI_OFF(ss_plugin_capture_listen_input, table_reader_ext, 16);
BULKHEAD_ABI_OFF(ss_plugin_capture_listen_input, table_writer_ext, 24);
BULKHEAD_ABI_OFF(ss_plugin_capture_listen_input, get_owner_last_error, 32);
BULKHEAD_ABI_SIZE(ss_plugin_metric, 32);
BULKHEAD_ABI_OFF(ss_plugin_metric, type, 8);
BULKHEAD_ABI_OFF(ss_plugin_metric, value, 16);
BULKHEAD_ABI_OFF(ss_plugin_metric, value_type, 24);

#endif /* BULKHEAD_PLUGIN_API_PLUGIN_API_H_ */
