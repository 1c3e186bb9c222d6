// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title PaymentToken
/// @notice A six-decimal stablecoin stand-in for local chains and tests. On a public chain the protocol is
///         deployed against an existing token (USDC, USDT) and this contract is not used.
contract PaymentToken is ERC20, Ownable {
    /// @param name_ token name
    /// @param symbol_ token symbol
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) Ownable(msg.sender) {}

    /// @notice Six decimals, like the stablecoins the protocol settles in.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Mints `amount` to `to`. Only the owner (the local faucet) may mint.
    /// @param to receiver
    /// @param amount amount in base units
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
