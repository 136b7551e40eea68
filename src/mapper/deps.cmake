# actopo_mapper: lenses, covers, clusterers, nerve, class hierarchy, pictures (Graphviz executables).
target_link_libraries(actopo_mapper PUBLIC actopo_core PRIVATE Eigen3::Eigen Threads::Threads)
if(TARGET actopo_sample)
  target_link_libraries(actopo_mapper PUBLIC actopo_sample)
endif()
