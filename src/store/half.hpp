#pragma once
// IEEE 754 binary16 ("half", numpy's float16) <-> float32, bit for bit as numpy converts: float32 -> half rounds to
// nearest, ties to even; magnitudes from 65520 up become Inf; NaN stays NaN; half -> float32 is exact.
// (After F. Giesen's float_to_half_fast3_rtne / half_to_float; no F16C instructions needed.)
#include <cstdint>
#include <cstring>

namespace actopo::half {

inline std::uint16_t from_float(float value) {
    std::uint32_t f;
    std::memcpy(&f, &value, 4);
    const std::uint32_t sign = f & 0x80000000u;
    f ^= sign;
    std::uint16_t out;
    if (f >= (127u + 16u) << 23) {  // |value| >= 65536, Inf or NaN
        out = f > 0x7f800000u ? 0x7e00 : 0x7c00;
    } else if (f < 113u << 23) {  // a subnormal half or zero: let the FPU round the 10 bits into place
        const std::uint32_t magic_bits = ((127u - 15u) + (23u - 10u) + 1u) << 23;
        float magic, x;
        std::memcpy(&magic, &magic_bits, 4);
        std::memcpy(&x, &f, 4);
        x += magic;
        std::uint32_t xb;
        std::memcpy(&xb, &x, 4);
        out = std::uint16_t(xb - magic_bits);
    } else {
        const std::uint32_t odd = (f >> 13) & 1u;
        f += (std::uint32_t(15 - 127) << 23) + 0xfffu + odd;  // rebias the exponent, round to nearest even
        out = std::uint16_t(f >> 13);
    }
    return std::uint16_t(out | (sign >> 16));
}

inline float to_float(std::uint16_t h) {
    const std::uint32_t shifted_exp = 0x7c00u << 13;
    std::uint32_t o = std::uint32_t(h & 0x7fffu) << 13;
    const std::uint32_t exp = shifted_exp & o;
    o += (127u - 15u) << 23;
    if (exp == shifted_exp) {
        o += (128u - 16u) << 23;  // Inf, NaN
    } else if (exp == 0) {        // zero, subnormal: renormalise
        o += 1u << 23;
        const std::uint32_t magic_bits = 113u << 23;
        float x, magic;
        std::memcpy(&x, &o, 4);
        std::memcpy(&magic, &magic_bits, 4);
        x -= magic;
        std::memcpy(&o, &x, 4);
    }
    o |= std::uint32_t(h & 0x8000u) << 16;
    float out;
    std::memcpy(&out, &o, 4);
    return out;
}

}  // namespace actopo::half
