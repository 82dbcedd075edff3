# What `cmake --install` puts where, and the Debian package (`cpack -G DEB`,
# `make package`). Paths follow GNUInstallDirs; bulkhead finds its runner
# and profiles relative to its own folder (supervisor/install_paths.h), so
# any prefix works.
#
#   bin/bulkhead
#   libexec/bulkhead/bulkhead-runner
#   share/bulkhead/policies/*.yaml          (policies/CMakeLists.txt)
#   share/falco/plugins/                    (empty: where plugin libraries go)
#   share/man/man8/bulkhead.8.gz
#   share/bash-completion/completions/bulkhead
#   lib/systemd/system/bulkhead.service
#   <sysconfdir>/bulkhead/falco.yaml, config.d/
#   <sysconfdir>/falco/rules.d/
#
# <sysconfdir> is /etc when the prefix is /usr (the package) and
# <prefix>/etc otherwise, as GNUInstallDirs decides, but decided when
# installing: cpack installs the same build tree with the prefix /usr.

install(TARGETS bulkhead RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS bulkhead-runner RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/bulkhead)
# Beside the runner, where `bulkhead wrap` copies it from.
install(TARGETS bulkhead_proxy LIBRARY DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/bulkhead)

install(CODE [[
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(BULKHEAD_SYSCONFDIR "../etc")
  else()
    set(BULKHEAD_SYSCONFDIR "etc")
  endif()
]])
# Relative to the prefix (the install rule prepends it): /usr/../etc.
install(FILES packaging/falco.yaml DESTINATION "\${BULKHEAD_SYSCONFDIR}/bulkhead")
install(DIRECTORY DESTINATION "\${BULKHEAD_SYSCONFDIR}/bulkhead/config.d")
install(DIRECTORY DESTINATION "\${BULKHEAD_SYSCONFDIR}/falco/rules.d")
install(DIRECTORY DESTINATION ${CMAKE_INSTALL_DATADIR}/falco/plugins)

# Debian wants manual pages compressed, without a time stamp inside.
find_program(GZIP_PROGRAM gzip REQUIRED)
set(BULKHEAD_MAN_GZ ${CMAKE_BINARY_DIR}/packaging/bulkhead.8.gz)
add_custom_command(OUTPUT ${BULKHEAD_MAN_GZ}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND ${GZIP_PROGRAM} -9nc ${CMAKE_SOURCE_DIR}/packaging/bulkhead.8 > ${BULKHEAD_MAN_GZ}
  DEPENDS ${CMAKE_SOURCE_DIR}/packaging/bulkhead.8
  COMMENT "Compressing the manual page")
add_custom_target(bulkhead_man_page ALL DEPENDS ${BULKHEAD_MAN_GZ})
add_dependencies(bulkhead bulkhead_man_page)
install(FILES ${BULKHEAD_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES packaging/bulkhead.bash-completion DESTINATION
        ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME bulkhead)
install(FILES packaging/bulkhead.service DESTINATION lib/systemd/system)

# The .deb. Its dependencies come from dpkg-shlibdeps on the two binaries,
# so they name the library packages of the machine that built it.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME bulkhead)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "bulkhead maintainers <bulkhead@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Falco plugins and rules, each plugin in its own sandboxed process")
set(CPACK_PACKAGE_DESCRIPTION
    "bulkhead runs unmodified Falco plugins from Falco's falco.yaml keys and rules\n\
files, each plugin in a runner process confined by namespaces, a cgroup,\n\
Landlock and seccomp. A plugin that crashes or hangs ends only its runner,\n\
which is restarted; the other plugins and the rules go on.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "falco, systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/debian/conffiles
    ${CMAKE_SOURCE_DIR}/packaging/debian/postinst
    ${CMAKE_SOURCE_DIR}/packaging/debian/prerm
    ${CMAKE_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Only the two binaries and their data; the tests and benchmarks install
# nothing.
set(CPACK_STRIP_FILES ON)
include(CPack)
