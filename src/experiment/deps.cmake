# actopo_experiment: experiment files, the job graph, the cache and the runner.
target_link_libraries(actopo_experiment PUBLIC actopo_core
  PRIVATE actopo_dataset actopo_sample actopo_persistence actopo_distances actopo_mapper actopo_coactivation
          actopo_similarity yaml-cpp nlohmann_json::nlohmann_json)
# MPI is optional: with it, `mpirun -np N actopo run` spreads the jobs over the ranks (docs/cluster.md).
find_package(MPI QUIET COMPONENTS C)
if(MPI_C_FOUND)
  target_compile_definitions(actopo_experiment PRIVATE ACTOPO_WITH_MPI)
  target_link_libraries(actopo_experiment PRIVATE MPI::MPI_C)
  message(STATUS "actopo: MPI found, actopo run can spread jobs over mpirun ranks")
else()
  message(STATUS "actopo: MPI not found, actopo run uses forked workers on one machine only")
endif()
