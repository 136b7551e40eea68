#pragma once
// Writing the attribution file (layout in docs/formats.md) under a temporary name; renamed by finish().
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actopo/core.hpp"
#include "actopo/explain.hpp"

namespace actopo::explain_detail {

class AttributionWriter {
public:
    AttributionWriter(const std::string& path, bool force);
    ~AttributionWriter();  // without finish(): the temporary file is removed
    void set_root(const std::map<std::string, std::string>& strings, const std::map<std::string, std::int64_t>& ints,
                  const std::vector<std::string>& class_names);
    /// /attributions/<method> [N, shape...] with string attributes; with `delta` also <method>_delta [N]; with a
    /// `cam_layer` also /cams/<method>/<cam_layer> [N, cam_shape...].
    void add_method(const std::string& method, const std::vector<std::int64_t>& shape,
                    const std::map<std::string, std::string>& attrs, bool delta, const std::string& cam_layer,
                    const std::vector<std::int64_t>& cam_shape);
    bool has_method(const std::string& method) const;
    void append_inputs(std::size_t count, const std::int64_t* index, const std::int64_t* labels,
                       const std::int64_t* predictions, const std::int64_t* targets);
    void append(const std::string& method, std::size_t count, const float* map, const float* delta, const float* cam);
    void finish();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace actopo::explain_detail
