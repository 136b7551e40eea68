target_link_libraries(actopo_plot PUBLIC actopo_core PRIVATE PkgConfig::CAIRO)
