// Symbol export for test plugins.
//
// Plugins build with -fvisibility=hidden so that only the ABI entry points are
// visible to dlsym: a stray exported helper could collide with a host symbol
// or with another plugin loaded RTLD_GLOBAL elsewhere.
#ifndef BULKHEAD_TESTS_PLUGINS_COMMON_PLUGIN_EXPORT_H_
#define BULKHEAD_TESTS_PLUGINS_COMMON_PLUGIN_EXPORT_H_

#ifdef __cplusplus
#define BULKHEAD_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))
#else
#define BULKHEAD_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

#endif  // BULKHEAD_TESTS_PLUGINS_COMMON_PLUGIN_EXPORT_H_
