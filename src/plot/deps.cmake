target_link_libraries(actopo_plot PUBLIC actopo_core PRIVATE PkgConfig::CAIRO actopo_store actopo_dataset)  # attribution pictures read the file and its inputs
