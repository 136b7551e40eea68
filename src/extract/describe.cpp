// describe_model: `actopo inspect model.pt` in words.
#include <sstream>

#include "actopo/core.hpp"
#include "actopo/extract.hpp"
#include "extract/torchscript.hpp"

namespace actopo {

std::string describe_model(const std::string& model_path) {
    torch::jit::Module module = extract_detail::load_torchscript(model_path);
    LayerCapture capture(model_path, {"all"});
    std::ostringstream out;
    std::size_t total = 0;
    for (const auto& p : module.parameters()) total += std::size_t(p.numel());
    out << model_path << ": TorchScript module " << extract_detail::module_type_name(module) << ", sha256 "
        << sha256_file(model_path) << "\n";
    out << "forward: " << module.get_method("forward").function().getSchema() << "\n";
    out << total << " parameters in " << module.parameters().size() << " tensors; "
        << capture.modules().size() << " submodules, " << capture.layers().size() << " leaf layers extractable\n";
    out << "submodules (path, class, parameters, calls in forward's code):\n";
    std::size_t i = 0;
    for (const auto& m : module.named_modules()) {
        if (m.name.empty()) continue;
        const LayerInfo& info = capture.modules().at(i++);
        std::string params;
        for (const auto& p : m.value.named_parameters(false))
            params += (params.empty() ? "" : ", ") + p.name + " " + shape_string(p.value.sizes().vec());
        std::size_t depth = std::count(m.name.begin(), m.name.end(), '.');
        out << "  " << std::string(2 * depth, ' ') << m.name << "  " << info.type
            << (params.empty() ? "" : "  " + params) << "  called " << info.calls << "x"
            << (info.nested_calls ? " (" + std::to_string(info.nested_calls) + " in an if or a loop)" : "")
            << (info.leaf ? "" : " (container)") << "\n";
    }
    return out.str();
}

}  // namespace actopo
