#include "extract/torchscript.hpp"

#include <filesystem>
#include <fstream>

#include "actopo/core.hpp"

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
