// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// secp256k1 scalar multiplication in Jacobian coordinates, all in EVM arithmetic (mulmod/addmod).
contract EcMul {
    uint256 constant P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f;
    uint256 constant GX = 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798;
    uint256 constant GY = 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8;

    function dbl(uint256 x, uint256 y, uint256 z) internal pure returns (uint256, uint256, uint256) {
        if (y == 0) return (0, 0, 0);
        uint256 ysq = mulmod(y, y, P);
        uint256 s = mulmod(4, mulmod(x, ysq, P), P);
        uint256 m = mulmod(3, mulmod(x, x, P), P);
        uint256 nx = addmod(mulmod(m, m, P), P - mulmod(2, s, P), P);
        uint256 ny = addmod(mulmod(m, addmod(s, P - nx, P), P), P - mulmod(8, mulmod(ysq, ysq, P), P), P);
        uint256 nz = mulmod(2, mulmod(y, z, P), P);
        return (nx, ny, nz);
    }

    function add(uint256 x1, uint256 y1, uint256 z1, uint256 x2, uint256 y2, uint256 z2)
        internal
        pure
        returns (uint256, uint256, uint256)
    {
        if (z1 == 0) return (x2, y2, z2);
        if (z2 == 0) return (x1, y1, z1);
        uint256 z1s = mulmod(z1, z1, P);
        uint256 z2s = mulmod(z2, z2, P);
        uint256 u1 = mulmod(x1, z2s, P);
        uint256 s1 = mulmod(y1, mulmod(z2, z2s, P), P);
        uint256 h = addmod(mulmod(x2, z1s, P), P - u1, P);
        uint256 r = addmod(mulmod(y2, mulmod(z1, z1s, P), P), P - s1, P);
        if (h == 0) {
            if (r != 0) return (0, 0, 0);
            return dbl(x1, y1, z1);
        }
        // variables are reused below to stay within the stack window
        z1 = mulmod(h, mulmod(z1, z2, P), P); // z3
        z2s = mulmod(h, h, P); // h^2
        x2 = mulmod(h, z2s, P); // h^3
        u1 = mulmod(u1, z2s, P); // u1*h^2
        x1 = addmod(addmod(mulmod(r, r, P), P - x2, P), P - mulmod(2, u1, P), P);
        y1 = addmod(mulmod(r, addmod(u1, P - x1, P), P), P - mulmod(s1, x2, P), P);
        return (x1, y1, z1);
    }

    function mul(uint256 k) internal pure returns (uint256 x, uint256 y, uint256 z) {
        (uint256 ax, uint256 ay, uint256 az) = (GX, GY, 1);
        while (k != 0) {
            if (k & 1 == 1) (x, y, z) = add(x, y, z, ax, ay, az);
            (ax, ay, az) = dbl(ax, ay, az);
            k >>= 1;
        }
    }

    function run(uint256 n) external pure returns (uint256 acc) {
        uint256 k = 0xc0ffee1234567890abcdef;
        for (uint256 i = 0; i < n; i++) {
            (uint256 x,,) = mul(k + i);
            acc ^= x;
        }
    }
}
