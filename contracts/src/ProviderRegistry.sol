// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// @title ProviderRegistry
/// @notice GPU providers register here with their location, gateway, GPU inventory and a stake in the payment
///         token. Uptime is derived from heartbeats over a sliding window of epochs; reputation from the lease
///         outcomes the order contract records. Only the order contract (the slasher) may slash.
contract ProviderRegistry is Ownable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    error AlreadyRegistered(address provider);
    error NotRegistered(address provider);
    error StakeTooLow(uint256 stake, uint256 minimum);
    error InvalidGpuAttributes();
    error EmptyField(string field);
    error UnstakeExceedsStake(uint256 requested, uint256 available);
    error UnstakePending(uint256 amount, uint64 readyBlock);
    error NoUnstakeRequested();
    error CooldownNotOver(uint64 readyBlock, uint256 currentBlock);
    error NotSlasher(address caller);
    error SlasherAlreadySet(address slasher);
    error ZeroAmount();
    error StakeLocked(uint256 locked, uint256 remaining);

    event PROVIDER_REGISTERED(address indexed provider, string region, string zone, string gatewayUrl, uint256 stake);
    event PROVIDER_UPDATED(address indexed provider, string region, string zone, string gatewayUrl);
    event STAKE_ADDED(address indexed provider, uint256 amount, uint256 stake);
    event UNSTAKE_REQUESTED(address indexed provider, uint256 amount, uint64 readyBlock);
    event STAKE_WITHDRAWN(address indexed provider, uint256 amount);
    event HEARTBEAT(address indexed provider, uint64 epoch);
    event SLASHED(address indexed provider, uint256 amount, uint8 indexed reason);
    event SLASHED_SWEPT(address indexed treasury, uint256 amount);
    event LEASE_OUTCOME(address indexed provider, bool completed, uint64 servedSeconds);
    event SLASHER_SET(address slasher);
    event STAKE_LOCKED(address indexed provider, uint256 amount, uint256 locked);
    event STAKE_UNLOCKED(address indexed provider, uint256 amount, uint256 locked);

    /// @notice Heartbeat epochs that make up the uptime window.
    uint256 public constant UPTIME_WINDOW_EPOCHS = 64;

    /// @notice Reason code: the provider did not confirm a deployment before its deadline.
    uint8 public constant SLASH_DEPLOYMENT_MISSED = 1;

    struct Provider {
        string region;
        string zone;
        string gatewayUrl;
        uint256 stake;
        uint256 unstakeAmount;
        uint64 unstakeReadyBlock;
        uint64 registeredBlock;
        uint32 leasesCompleted;
        uint32 leasesFailed;
        /// @dev Seconds of service tenants paid for over all its finished leases (reputation counts these, not
        ///      leases: a lease confirmed and closed at once adds nothing). Packed with the counters beside it, so
        ///      recording an outcome writes one slot.
        uint64 servedSeconds;
        uint32 slashCount;
        uint64 lastSlashBlock;
        uint256 totalSlashed;
        uint64 lastHeartbeatEpoch;
        uint64 lastHeartbeatBlock;
    }

    IERC20 public immutable token;
    uint256 public immutable minStake;
    uint64 public immutable unstakeCooldownBlocks;
    uint64 public immutable heartbeatEpochBlocks;
    address public immutable treasury;
    /// @notice Slashed stake not yet sent to the treasury (sweepSlashed).
    uint256 public slashedUnswept;
    address public slasher;

    mapping(address => Provider) private _providers;
    mapping(address => uint256) private _heartbeatBits;
    mapping(address => string[]) private _gpuModels;
    mapping(address => uint32[]) private _gpuTotal;
    mapping(address => uint32[]) private _gpuAvailable;
    address[] private _providerList;
    /// @notice Stake that backs commitments which can still be slashed (one missed-deployment slash per lease not
    ///         yet confirmed); a withdrawal may not take the stake below it.
    mapping(address => uint256) public lockedStake;

    modifier onlySlasher() {
        if (msg.sender != slasher) revert NotSlasher(msg.sender);
        _;
    }

    modifier onlyRegistered() {
        if (_providers[msg.sender].registeredBlock == 0) revert NotRegistered(msg.sender);
        _;
    }

    /// @param token_ the stake token (the same token the protocol pays in)
    /// @param minStake_ stake below which a provider may not bid
    /// @param unstakeCooldownBlocks_ blocks between an unstake request and its withdrawal
    /// @param heartbeatEpochBlocks_ blocks per heartbeat epoch (one heartbeat per epoch counts)
    /// @param treasury_ receiver of slashed stake
    constructor(
        IERC20 token_,
        uint256 minStake_,
        uint64 unstakeCooldownBlocks_,
        uint64 heartbeatEpochBlocks_,
        address treasury_
    ) Ownable(msg.sender) {
        token = token_;
        minStake = minStake_;
        unstakeCooldownBlocks = unstakeCooldownBlocks_;
        heartbeatEpochBlocks = heartbeatEpochBlocks_ == 0 ? 1 : heartbeatEpochBlocks_;
        treasury = treasury_;
    }

    /// @notice Sets the one contract allowed to slash and record lease outcomes (the order contract). Once.
    /// @param slasher_ the order contract
    function setSlasher(address slasher_) external onlyOwner {
        if (slasher != address(0)) revert SlasherAlreadySet(slasher);
        slasher = slasher_;
        emit SLASHER_SET(slasher_);
    }

    /// @notice Registers the caller as a provider and pulls `stake` tokens (approve first).
    /// @param region region code, e.g. "us-east"
    /// @param zone availability zone within the region, e.g. "us-east-1a"
    /// @param gatewayUrl the provider gateway's HTTPS URL
    /// @param gpuModels GPU model names, e.g. "A100"
    /// @param gpuTotal GPUs of each model in the cluster
    /// @param gpuAvailable GPUs of each model free for new leases
    /// @param stake tokens to stake, at least minStake
    function register(
        string calldata region,
        string calldata zone,
        string calldata gatewayUrl,
        string[] calldata gpuModels,
        uint32[] calldata gpuTotal,
        uint32[] calldata gpuAvailable,
        uint256 stake
    ) external nonReentrant {
        if (_providers[msg.sender].registeredBlock != 0) revert AlreadyRegistered(msg.sender);
        if (stake < minStake) revert StakeTooLow(stake, minStake);
        // What arrived is what is staked: a fee-on-transfer token delivers less than was sent.
        stake = _pull(stake);
        if (stake < minStake) revert StakeTooLow(stake, minStake);
        Provider storage p = _providers[msg.sender];
        _setProfile(p, region, zone, gatewayUrl);
        _setGpus(msg.sender, gpuModels, gpuTotal, gpuAvailable);
        p.stake = stake;
        p.registeredBlock = uint64(block.number);
        _providerList.push(msg.sender);
        emit PROVIDER_REGISTERED(msg.sender, region, zone, gatewayUrl, stake);
    }

    /// @notice Replaces the caller's location, gateway and GPU inventory.
    /// @param region region code
    /// @param zone availability zone
    /// @param gatewayUrl gateway HTTPS URL
    /// @param gpuModels GPU model names
    /// @param gpuTotal GPUs of each model
    /// @param gpuAvailable free GPUs of each model
    function updateAttributes(
        string calldata region,
        string calldata zone,
        string calldata gatewayUrl,
        string[] calldata gpuModels,
        uint32[] calldata gpuTotal,
        uint32[] calldata gpuAvailable
    ) external onlyRegistered {
        _setProfile(_providers[msg.sender], region, zone, gatewayUrl);
        _setGpus(msg.sender, gpuModels, gpuTotal, gpuAvailable);
        emit PROVIDER_UPDATED(msg.sender, region, zone, gatewayUrl);
    }

    /// @notice Adds `amount` to the caller's stake (approve first).
    /// @param amount tokens to add
    function addStake(uint256 amount) external nonReentrant onlyRegistered {
        if (amount == 0) revert ZeroAmount();
        amount = _pull(amount);
        Provider storage p = _providers[msg.sender];
        p.stake += amount;
        emit STAKE_ADDED(msg.sender, amount, p.stake);
    }

    /// @notice Starts the cooldown for withdrawing `amount` of stake. The amount stops counting as stake at once
    ///         but can still be slashed until it is withdrawn.
    /// @param amount tokens to unstake
    function requestUnstake(uint256 amount) external onlyRegistered {
        Provider storage p = _providers[msg.sender];
        if (amount == 0) revert ZeroAmount();
        if (p.unstakeAmount != 0) revert UnstakePending(p.unstakeAmount, p.unstakeReadyBlock);
        if (amount > p.stake) revert UnstakeExceedsStake(amount, p.stake);
        p.unstakeAmount = amount;
        p.unstakeReadyBlock = uint64(block.number) + unstakeCooldownBlocks;
        emit UNSTAKE_REQUESTED(msg.sender, amount, p.unstakeReadyBlock);
    }

    /// @notice Withdraws the stake whose cooldown is over, as long as what stays covers the locked stake: stake
    ///         that backs a lease the provider may still be slashed for cannot leave before that lease is settled.
    function withdrawStake() external nonReentrant onlyRegistered {
        Provider storage p = _providers[msg.sender];
        uint256 amount = p.unstakeAmount;
        if (amount == 0) revert NoUnstakeRequested();
        if (block.number < p.unstakeReadyBlock) revert CooldownNotOver(p.unstakeReadyBlock, block.number);
        if (amount > p.stake) amount = p.stake; // a slash during cooldown took part of it
        uint256 locked = lockedStake[msg.sender];
        if (p.stake - amount < locked) revert StakeLocked(locked, p.stake - amount);
        p.unstakeAmount = 0;
        p.unstakeReadyBlock = 0;
        p.stake -= amount;
        emit STAKE_WITHDRAWN(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    /// @dev Pulls `amount` from the caller and returns what arrived.
    function _pull(uint256 amount) private returns (uint256) {
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        return token.balanceOf(address(this)) - before;
    }

    /// @notice Records that the caller is up in the current epoch.
    function heartbeat() external onlyRegistered {
        Provider storage p = _providers[msg.sender];
        uint64 epoch = _epoch();
        uint256 bits = _heartbeatBits[msg.sender];
        if (p.lastHeartbeatBlock != 0) {
            uint256 shift = epoch - p.lastHeartbeatEpoch;
            bits = shift >= 256 ? 0 : bits << shift;
        }
        _heartbeatBits[msg.sender] = bits | 1;
        p.lastHeartbeatEpoch = epoch;
        p.lastHeartbeatBlock = uint64(block.number);
        emit HEARTBEAT(msg.sender, epoch);
    }

    /// @notice Sends the slashed stake collected so far to the treasury. Anyone may call it. Slashes are collected
    ///         rather than sent at once, so a treasury the token refuses (a blacklisting stablecoin) cannot make a
    ///         slash, and with it the tenant's report, revert.
    /// @return amount what was sent
    function sweepSlashed() external nonReentrant returns (uint256 amount) {
        amount = slashedUnswept;
        if (amount == 0) revert ZeroAmount();
        slashedUnswept = 0;
        emit SLASHED_SWEPT(treasury, amount);
        token.safeTransfer(treasury, amount);
    }

    /// @notice Takes up to `amount` of stake (pending unstake included) for the treasury (see sweepSlashed).
    ///         Slasher only.
    /// @param provider the provider to slash
    /// @param amount tokens to take
    /// @param reason a reason code, e.g. SLASH_DEPLOYMENT_MISSED
    /// @return taken what was actually taken (never more than the stake)
    function slash(address provider, uint256 amount, uint8 reason) external onlySlasher nonReentrant returns (uint256 taken) {
        Provider storage p = _providers[provider];
        if (p.registeredBlock == 0) revert NotRegistered(provider);
        taken = amount > p.stake ? p.stake : amount;
        p.stake -= taken;
        if (p.unstakeAmount > p.stake) p.unstakeAmount = p.stake;
        p.slashCount += 1;
        p.lastSlashBlock = uint64(block.number);
        p.totalSlashed += taken;
        slashedUnswept += taken;
        emit SLASHED(provider, taken, reason);
    }

    /// @notice Locks `amount` more of the provider's stake against withdrawal: a commitment it may be slashed for
    ///         began. Slasher only.
    /// @param provider the provider
    /// @param amount what the commitment could cost it
    function lockStake(address provider, uint256 amount) external onlySlasher {
        uint256 locked = lockedStake[provider] + amount;
        lockedStake[provider] = locked;
        emit STAKE_LOCKED(provider, amount, locked);
    }

    /// @notice Releases `amount` of locked stake: the commitment was settled (confirmed, slashed or closed). Slasher only.
    /// @param provider the provider
    /// @param amount what {lockStake} locked for that commitment
    function unlockStake(address provider, uint256 amount) external onlySlasher {
        uint256 locked = lockedStake[provider];
        locked = amount > locked ? 0 : locked - amount;
        lockedStake[provider] = locked;
        emit STAKE_UNLOCKED(provider, amount, locked);
    }

    /// @notice Counts a finished lease towards the provider's reputation: a failure, or the seconds of service its
    ///         tenant paid for. Slasher only.
    /// @param provider the lease's provider
    /// @param completed true when the lease ran and closed normally, false when the provider failed it
    /// @param servedSeconds the seconds of service the lease paid for (0 for a failed lease)
    function recordLeaseOutcome(address provider, bool completed, uint64 servedSeconds) external onlySlasher {
        Provider storage p = _providers[provider];
        if (p.registeredBlock == 0) revert NotRegistered(provider);
        if (completed) {
            p.leasesCompleted += 1;
            p.servedSeconds += servedSeconds;
        } else {
            p.leasesFailed += 1;
        }
        emit LEASE_OUTCOME(provider, completed, servedSeconds);
    }

    /// @notice Whether `provider` is registered with at least the minimum stake not being unstaked.
    function isEligible(address provider) external view returns (bool) {
        Provider storage p = _providers[provider];
        return p.registeredBlock != 0 && p.stake - p.unstakeAmount >= minStake;
    }

    /// @notice Stake that counts for selection: staked minus what is being unstaked.
    function effectiveStake(address provider) external view returns (uint256) {
        Provider storage p = _providers[provider];
        return p.stake - p.unstakeAmount;
    }

    /// @notice Share of the last UPTIME_WINDOW_EPOCHS epochs (or of the epochs since registration, if fewer)
    ///         with a heartbeat, in basis points.
    function uptimeBps(address provider) external view returns (uint256) {
        Provider storage p = _providers[provider];
        if (p.registeredBlock == 0 || p.lastHeartbeatBlock == 0) return 0;
        uint64 epoch = _epoch();
        uint256 shift = epoch - p.lastHeartbeatEpoch;
        if (shift >= UPTIME_WINDOW_EPOCHS) return 0;
        uint256 bits = (_heartbeatBits[provider] << shift) & ((uint256(1) << UPTIME_WINDOW_EPOCHS) - 1);
        uint256 elapsed = uint256(epoch - p.registeredBlock / heartbeatEpochBlocks) + 1;
        uint256 window = elapsed < UPTIME_WINDOW_EPOCHS ? elapsed : UPTIME_WINDOW_EPOCHS;
        return (_popcount(bits) * 10_000) / window;
    }

    /// @notice The provider's record. registeredBlock is zero for an unknown address.
    function getProvider(address provider) external view returns (Provider memory) {
        return _providers[provider];
    }

    /// @notice The provider's advertised GPU inventory.
    /// @return models GPU model names
    /// @return total GPUs of each model
    /// @return available free GPUs of each model
    function getGpus(address provider)
        external
        view
        returns (string[] memory models, uint32[] memory total, uint32[] memory available)
    {
        return (_gpuModels[provider], _gpuTotal[provider], _gpuAvailable[provider]);
    }

    /// @notice Every registered provider, in registration order.
    function providers() external view returns (address[] memory) {
        return _providerList;
    }

    function _setProfile(Provider storage p, string calldata region, string calldata zone, string calldata url) private {
        if (bytes(region).length == 0) revert EmptyField("region");
        if (bytes(url).length == 0) revert EmptyField("gatewayUrl");
        p.region = region;
        p.zone = zone;
        p.gatewayUrl = url;
    }

    function _setGpus(address provider, string[] calldata models, uint32[] calldata total, uint32[] calldata available) private {
        if (models.length != total.length || models.length != available.length || models.length > 32) {
            revert InvalidGpuAttributes();
        }
        for (uint256 i = 0; i < models.length; i++) {
            if (available[i] > total[i] || bytes(models[i]).length == 0) revert InvalidGpuAttributes();
        }
        string[] storage stored = _gpuModels[provider];
        while (stored.length > 0) stored.pop();
        for (uint256 i = 0; i < models.length; i++) stored.push(models[i]);
        _gpuTotal[provider] = total;
        _gpuAvailable[provider] = available;
    }

    function _epoch() private view returns (uint64) {
        return uint64(block.number / heartbeatEpochBlocks);
    }

    function _popcount(uint256 x) private pure returns (uint256 count) {
        while (x != 0) {
            x &= x - 1;
            count++;
        }
    }
}
