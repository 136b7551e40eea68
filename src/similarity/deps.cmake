target_link_libraries(actopo_similarity PUBLIC actopo_core actopo_store Eigen3::Eigen)
if(TARGET actopo_sample)
  target_link_libraries(actopo_similarity PUBLIC actopo_sample)
endif()
