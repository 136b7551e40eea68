# actopo_persistence: GUDHI (header-only, with Boost), the native engine, HDF5 for diagram files.
target_link_libraries(actopo_persistence PUBLIC actopo_core PRIVATE actopo_store ${HDF5_C_LIBRARIES} ZLIB::ZLIB)
target_include_directories(actopo_persistence PRIVATE ${HDF5_C_INCLUDE_DIRS})
if(TARGET actopo_sample)
  target_link_libraries(actopo_persistence PUBLIC actopo_sample)
endif()
# The native engine (src/native) behind make_backend("native"); OFF builds without it.
option(ACTOPO_PERSISTENCE_NATIVE "Link the native engine into the persistence backends" ON)
if(ACTOPO_PERSISTENCE_NATIVE AND EXISTS ${CMAKE_SOURCE_DIR}/src/native)
  target_link_libraries(actopo_persistence PUBLIC actopo_native)
  target_compile_definitions(actopo_persistence PRIVATE ACTOPO_HAVE_NATIVE=1)
endif()
