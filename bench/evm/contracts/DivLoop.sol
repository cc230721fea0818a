// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// 256-bit division: DIV/MOD/SDIV/SMOD by divisors of one to four 64-bit limbs that change every step.
contract DivLoop {
    function run(uint256 n) external pure returns (uint256 acc) {
        uint256 x = 0xfedcba9876543210f0e1d2c3b4a5968778695a4b3c2d1e0f0123456789abcdef;
        unchecked {
            for (uint256 i = 0; i < n; i++) {
                uint256 d64 = (x >> 192) | 1;
                uint256 d128 = (x >> 128) | (1 << 100);
                uint256 d192 = (x >> 64) | (1 << 160);
                acc += x / d64 + x % d128 + x / d192 + x % (x >> 3 | 1);
                acc ^= uint256(int256(x) / int256(d128 | 1)) + uint256(int256(acc) % int256(d64));
                x = x * 0x9e3779b97f4a7c15f39cc0605cedc835 + acc + i;
            }
        }
    }
}
