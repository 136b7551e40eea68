# actopo_mapper: lenses, covers, clusterers, nerve, class hierarchy, pictures (Graphviz, through plot).
target_link_libraries(actopo_mapper PUBLIC actopo_core PRIVATE actopo_plot Eigen3::Eigen Threads::Threads)
if(TARGET actopo_sample)
  target_link_libraries(actopo_mapper PUBLIC actopo_sample)
endif()
