target_link_libraries(actopo_coactivation PUBLIC actopo_core actopo_store actopo_similarity Eigen3::Eigen
                      PRIVATE PkgConfig::IGRAPH actopo_plot)
if(TARGET actopo_sample)
  target_link_libraries(actopo_coactivation PUBLIC actopo_sample)
endif()
