/* rng.c - splitmix64 and xoshiro256** (Blackman, Vigna), the generators' portable PRNG. */
#include "tools/common/rng.h"

#define OG_TOOL_GAMMA 0x9E3779B97F4A7C15ULL

uint64_t og_tool_splitmix64(uint64_t x)
{
    uint64_t z = x + OG_TOOL_GAMMA;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void og_tool_rng_seed(struct og_tool_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    for (int i = 0; i < 4; i++) {
        r->s[i] = og_tool_splitmix64(x);
        x += OG_TOOL_GAMMA;
    }
}

static inline uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t og_tool_rng_next(struct og_tool_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

uint32_t og_tool_rng_below(struct og_tool_rng *r, uint32_t n)
{
    return n ? (uint32_t)(og_tool_rng_next(r) % n) : 0;
}

int og_tool_rng_range(struct og_tool_rng *r, int lo, int hi)
{
    return lo + (int)og_tool_rng_below(r, (uint32_t)(hi - lo + 1));
}

double og_tool_rng_unit(struct og_tool_rng *r)
{
    return (double)(og_tool_rng_next(r) >> 11) * 0x1.0p-53;
}

bool og_tool_rng_chance(struct og_tool_rng *r, double p)
{
    return og_tool_rng_unit(r) < p;
}
