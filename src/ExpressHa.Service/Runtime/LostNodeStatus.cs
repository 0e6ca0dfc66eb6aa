namespace ExpressHa.Service.Runtime;

/// <summary>Where a plan waiting for a lost node (WaitForNodeDown) stands.</summary>
public enum LostNodeStatus
{
    /// <summary>Still lost and not known to be down: keep waiting.</summary>
    Lost,
    /// <summary>Fenced or confirmed down, or a new incarnation joined after the lost one was settled: go on.</summary>
    Down,
    /// <summary>The same incarnation is heard again: it never stopped, so the plan made for its loss is void.</summary>
    Back,
}
