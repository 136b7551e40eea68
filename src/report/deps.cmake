# actopo_report: the HTML page of an experiment and the figures it draws.
target_link_libraries(actopo_report PUBLIC actopo_core
  PRIVATE actopo_store actopo_persistence actopo_plot nlohmann_json::nlohmann_json)
