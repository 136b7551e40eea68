// The backend registry: make_backend / backend_names, and the `native` backend (actopo::native::compute).
#include "actopo/native.hpp"
#include "persistence/internal.hpp"

namespace actopo {
namespace persistence_detail {
namespace {

class NativeBackend : public PersistenceBackend {
public:
    std::string name() const override { return "native"; }
    Diagrams compute(const RipsInput& input, const RipsOptions& options) const override {
#ifdef ACTOPO_HAVE_NATIVE
        check_coefficient(options.coeff);
        Diagrams out = native::compute(input, options);
        canonicalize(out, options.max_dim);
        return out;
#else
        (void)input, (void)options;
        throw UserError("the native backend is not built into this actopo; use --backend gudhi or ripser");
#endif
    }
};

}  // namespace

std::unique_ptr<PersistenceBackend> make_native_backend() { return std::make_unique<NativeBackend>(); }

}  // namespace persistence_detail

std::vector<std::string> backend_names() { return {"native", "gudhi", "ripser"}; }

std::unique_ptr<PersistenceBackend> make_backend(const std::string& name) {
    if (name == "native") return persistence_detail::make_native_backend();
    if (name == "gudhi") return persistence_detail::make_gudhi_backend();
    if (name == "ripser") return persistence_detail::make_ripser_backend();
    throw UserError("unknown persistence backend '" + name + "' (expected one of: " + join(backend_names()) + ")");
}

}  // namespace actopo
