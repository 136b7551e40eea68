#pragma once
// actopo core: what every module shares, one header per concern (include/actopo/core/):
//   errors.hpp    UserError (exit 1), EnvironmentError (exit 3), Cancelled (exit 130)
//   files.hpp     AtomicOutput: write to a temporary name beside the target, rename when complete
//   parallel.hpp  cancellation (Ctrl-C), parallel_for, the progress bar and the quiet switch
//   text.hpp      sha256, closest_names, join/split/trim, safe_file_name, xml_escape, iso_time, version
//   matrix.hpp    Matrix (float point clouds) and NamedMatrix (layer x layer CSV)
//   process.hpp   running other programs (Graphviz, ripser, actopo-nn)
//   algorithms.hpp UnionFind, average_ranks, average_linkage
#include "actopo/core/errors.hpp"
#include "actopo/core/files.hpp"
#include "actopo/core/matrix.hpp"
#include "actopo/core/parallel.hpp"
#include "actopo/core/process.hpp"
#include "actopo/core/algorithms.hpp"
#include "actopo/core/text.hpp"
