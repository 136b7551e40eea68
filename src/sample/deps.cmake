target_link_libraries(actopo_sample PUBLIC actopo_core actopo_store PRIVATE Eigen3::Eigen)
