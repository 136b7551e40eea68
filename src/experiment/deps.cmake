# actopo_experiment: experiment files, the job graph, the cache and the runner.
target_link_libraries(actopo_experiment PUBLIC actopo_core
  PRIVATE actopo_dataset actopo_sample actopo_persistence actopo_distances actopo_mapper actopo_coactivation
          actopo_similarity yaml-cpp nlohmann_json::nlohmann_json)
