// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Quicksort of n pseudo-random words in memory.
contract Sort {
    function run(uint256 n) external pure returns (uint256) {
        uint256[] memory a = new uint256[](n);
        uint256 seed = 0x243f6a8885a308d3;
        for (uint256 i = 0; i < n; i++) {
            unchecked {
                seed = seed * 6364136223846793005 + 1442695040888963407;
            }
            a[i] = seed >> 128;
        }
        if (n > 1) quicksort(a, 0, int256(n - 1));
        for (uint256 i = 1; i < n; i++) require(a[i - 1] <= a[i], "unsorted");
        return n == 0 ? 0 : a[n / 2];
    }

    function quicksort(uint256[] memory a, int256 lo, int256 hi) internal pure {
        if (lo >= hi) return;
        uint256 pivot = a[uint256(lo + (hi - lo) / 2)];
        int256 i = lo;
        int256 j = hi;
        while (i <= j) {
            while (a[uint256(i)] < pivot) i++;
            while (pivot < a[uint256(j)]) j--;
            if (i <= j) {
                (a[uint256(i)], a[uint256(j)]) = (a[uint256(j)], a[uint256(i)]);
                i++;
                j--;
            }
        }
        if (lo < j) quicksort(a, lo, j);
        if (i < hi) quicksort(a, i, hi);
    }
}
