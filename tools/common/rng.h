/* rng.h - the generators' deterministic PRNG: splitmix64 and xoshiro256**, same bytes anywhere. */
#ifndef OG_TOOLS_COMMON_RNG_H
#define OG_TOOLS_COMMON_RNG_H

#include <stdbool.h>
#include <stdint.h>

/* One xoshiro256** stream. Plain value: copy it to fork a stream; no create/destroy. */
struct og_tool_rng {
    uint64_t s[4];
};

/* splitmix64 (Steele, Lea, Flood 2014) applied to state x: adds the golden gamma to x, mixes and
 * returns the result. Pure, cannot fail. A sequence is og_tool_splitmix64(x), then
 * x += 0x9E3779B97F4A7C15. */
uint64_t og_tool_splitmix64(uint64_t x);

/* Seeds r from (seed, stream) through splitmix64, so that streams of one seed are independent. */
void og_tool_rng_seed(struct og_tool_rng *r, uint64_t seed, uint64_t stream);

/* The next 64 random bits of r. */
uint64_t og_tool_rng_next(struct og_tool_rng *r);

/* Uniform in [0, n) (modulo bias is far below anything a sample can show); 0 when n is 0. */
uint32_t og_tool_rng_below(struct og_tool_rng *r, uint32_t n);

/* Uniform in [lo, hi], inclusive (lo <= hi). */
int og_tool_rng_range(struct og_tool_rng *r, int lo, int hi);

/* Uniform in [0, 1), 53 bits. */
double og_tool_rng_unit(struct og_tool_rng *r);

/* true with probability p (one og_tool_rng_unit draw). */
bool og_tool_rng_chance(struct og_tool_rng *r, double p);

/* One element of the array arr (a true array, not a pointer), uniformly. arr is not evaluated
 * (sizeof only) except for the one element read. */
#define OG_TOOL_PICK(r, arr)                                                                       \
    ((arr)[og_tool_rng_below((r), (uint32_t)(sizeof(arr) / sizeof((arr)[0])))])

#endif
