target_link_libraries(actopo_native PUBLIC actopo_core PRIVATE Eigen3::Eigen)  # Eigen: the blockwise neighbour lists
