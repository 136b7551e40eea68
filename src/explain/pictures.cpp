// Pictures of an attribution file (placeholder until the drawing code lands).
#include "actopo/core.hpp"
#include "actopo/explain.hpp"

namespace actopo {
std::vector<std::string> draw_attribution_pictures(const std::string&, const std::string&, std::size_t, bool) {
    throw UserError("--pictures is not available yet");
}
}  // namespace actopo
