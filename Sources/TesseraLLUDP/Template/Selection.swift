/// The messages `slcodegen` generates typed codecs for (Generated/SLMessages.swift): what the
/// client manager and the bots speak. Every other template message is still named by
/// `SLCatalog` and readable through the template codec (`SLMessageSpec.decode`).
public enum SLSelection {
    public static let messages: [String] = [
        // Circuit
        "PacketAck", "StartPingCheck", "CompletePingCheck", "UseCircuitCode", "CloseCircuit",
        // Arrival and region
        "CompleteAgentMovement", "AgentMovementComplete", "RegionHandshake", "RegionHandshakeReply",
        "AgentThrottle", "RequestRegionInfo", "RegionInfo", "SimulatorViewerTimeMessage", "SimStats",
        "RegionHandleRequest", "RegionIDAndHandleReply", "EconomyDataRequest", "EconomyData",
        // The agent
        "AgentUpdate", "AgentDataUpdateRequest", "AgentDataUpdate", "AgentFOV", "AgentPause", "AgentResume",
        "AgentHeightWidth", "SetAlwaysRun", "AgentAnimation", "AvatarAnimation", "AvatarSitResponse", "HealthMessage",
        // Objects
        "ObjectUpdate", "ImprovedTerseObjectUpdate", "KillObject", "CoarseLocationUpdate", "RequestMultipleObjects",
        "ObjectAdd", "ObjectGrab", "ObjectDeGrab", "ObjectGrabUpdate", "ViewerEffect",
        // Chat, messages and dialogs
        "ChatFromViewer", "ChatFromSimulator", "ImprovedInstantMessage", "ScriptDialog", "ScriptDialogReply",
        "AlertMessage", "AgentAlertMessage", "KickUser", "OnlineNotification", "OfflineNotification",
        // Terrain
        "LayerData",
        // Names and profiles
        "UUIDNameRequest", "UUIDNameReply", "UUIDGroupNameRequest", "UUIDGroupNameReply", "AvatarPropertiesRequest",
        "ParcelPropertiesRequest",
        // Leaving
        "LogoutRequest", "LogoutReply",
        // Teleports, neighbours and crossings
        "TeleportLocationRequest", "TeleportLandmarkRequest", "TeleportRequest", "TeleportFailed", "TeleportStart",
        "TeleportProgress", "TeleportLocal", "TeleportFinish", "CrossedRegion", "EnableSimulator", "DisableSimulator",
        // Appearance
        "AgentWearablesRequest", "AgentWearablesUpdate", "AgentSetAppearance", "AvatarAppearance",
        "AgentCachedTexture", "AgentCachedTextureResponse",
        // Money and map
        "MoneyBalanceRequest", "MoneyBalanceReply", "MapBlockRequest", "MapBlockReply", "MapLayerRequest", "MapLayerReply",
    ]
}
