// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title PaymentToken
/// @notice A six-decimal stablecoin stand-in for local chains and tests. On a public chain the protocol is
///         deployed against an existing token (USDC, USDT) and this contract is not used. Like those tokens, its
///         owner can blacklist addresses (USDC, USDT) and charge a fee on transfers (USDT's basisPointsRate, zero
///         today but switchable): both off unless a test turns them on, to show the protocol survives them.
contract PaymentToken is ERC20, Ownable {
    /// @param name_ token name
    /// @param symbol_ token symbol
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) Ownable(msg.sender) {}

    /// @notice Six decimals, like the stablecoins the protocol settles in.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    error Blacklisted(address account);
    error FeeTooHigh(uint256 basisPoints);

    mapping(address => bool) public blacklisted;
    uint256 public feeBasisPoints;

    /// @notice Refuses every transfer from or to `account` while `on`. Owner only.
    function setBlacklisted(address account, bool on) external onlyOwner {
        blacklisted[account] = on;
    }

    /// @notice Burns `basisPoints` / 10,000 of every transfer between two holders (not of mints). Owner only.
    function setFeeBasisPoints(uint256 basisPoints) external onlyOwner {
        if (basisPoints > 1000) revert FeeTooHigh(basisPoints);
        feeBasisPoints = basisPoints;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blacklisted[from]) revert Blacklisted(from);
        if (blacklisted[to]) revert Blacklisted(to);
        uint256 fee = from == address(0) || to == address(0) ? 0 : (value * feeBasisPoints) / 10_000;
        if (fee > 0) super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }

    /// @notice Mints `amount` to `to`. Only the owner (the local faucet) may mint.
    /// @param to receiver
    /// @param amount amount in base units
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
