using System.Runtime.CompilerServices;

// The translation path keeps large structs (entries, regimes, results) on the stack; every one is fully assigned
// before use, so zeroing each frame on entry is wasted work on the hot path.
[module: SkipLocalsInit]
