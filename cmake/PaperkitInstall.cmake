# Install the libraries, headers, tools and an exported package config (paperkit::<lib>).
include(CMakePackageConfigHelpers)
install(DIRECTORY include/paperkit DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT paperkitTargets NAMESPACE paperkit::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/paperkit)
configure_package_config_file(cmake/paperkitConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/paperkitConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/paperkit)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/paperkitConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/paperkitConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/paperkitConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/paperkit)
