# Distances need only core; layer_diagrams() reads stores, samples and computes persistence.
target_link_libraries(actopo_distances PUBLIC actopo_core PRIVATE actopo_persistence actopo_sample actopo_store)
