#include "extract/torchscript.hpp"

#include <filesystem>
#include <fstream>

#include "actopo/core.hpp"
#include "actopo/store.hpp"

namespace actopo::extract_detail {

std::string error_summary(const std::exception& error) {
    const auto* c10_error = dynamic_cast<const c10::Error*>(&error);
    std::string msg = c10_error ? c10_error->what_without_backtrace() : error.what();
    std::size_t interpreter = msg.rfind("RuntimeError: ");
    if (interpreter != std::string::npos) {
        std::string tail;
        for (const auto& line : split(msg.substr(interpreter + 14), '\n'))
            if (!trim(line).empty()) tail += (tail.empty() ? "" : " ") + trim(line);
        return tail;
    }
    std::size_t end = msg.find('\n');
    return trim(end == std::string::npos ? msg : msg.substr(0, end));
}

UserError forward_error(const std::string& model_path, torch::jit::Function& fn, torch::jit::Module& module,
                        const std::vector<std::int64_t>& shape, std::optional<std::size_t> earlier,
                        const std::exception& error, const std::string& expected) {
    const std::string model = "model '" + model_path + "' ";
    if (earlier && *earlier > 0)  // the same shape ran before: the model itself raised on these inputs
        return UserError(model + "raised an error in forward on batch " + std::to_string(*earlier + 1) + " (inputs of shape " +
                         shape_string(shape) + ", which the " + std::to_string(*earlier) + " earlier batch(es) had): " +
                         error_summary(error));
    bool zeros_run = false;  // zeros of the same shape run: the shape is fine, the values are not
    try {
        torch::NoGradGuard no_grad;
        fn({module._ivalue(), torch::zeros(shape, torch::kFloat32)});
        zeros_run = true;
    } catch (const std::exception&) {
    }
    if (zeros_run)
        return UserError(model + "raised an error in forward" + (earlier ? " on batch 1" : "") + " (inputs of shape " +
                         shape_string(shape) + "; zeros of that shape run, so it is these inputs' values): " + error_summary(error));
    return UserError(model + "cannot take inputs of shape " + shape_string(shape) + (expected.empty() ? "" : ": " + expected) +
                     " (" + error_summary(error) + ")");
}

torch::jit::Module load_torchscript(const std::string& path) {
    namespace fs = std::filesystem;
    if (!fs::exists(path)) throw UserError("model file '" + path + "' does not exist");
    if (fs::is_directory(path)) throw UserError("model '" + path + "' is a directory, expected a TorchScript file");
    char magic[2] = {0, 0};
    std::ifstream(path, std::ios::binary).read(magic, 2);
    const std::string how = "export it with torch.jit.script(model).save(path) or torch.jit.trace(model, x).save(path)";
    if (magic[0] != 'P' || magic[1] != 'K')
        throw UserError("model '" + path + "' is not a TorchScript file (not a zip archive; " + how + ")");
    try {
        torch::jit::Module module = torch::jit::load(path, torch::kCPU);
        module.eval();
        return module;
    } catch (const c10::Error& e) {
        throw UserError("model '" + path + "' is not a readable TorchScript module (" + error_summary(e) + "); " + how);
    }
}

std::string module_type_name(const torch::jit::Module& module) {
    auto name = module.type()->name();
    return name ? name->name() : "Module";
}

}  // namespace actopo::extract_detail
