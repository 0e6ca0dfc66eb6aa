namespace ExpressHa.Config
{
    /// <summary>The node watchdog: every node's service arms a watchdog device (a hardware one, or the softdog kernel
    /// module) and feeds it while it is healthy and may hold its groups; a node whose service dies, stalls, or can no longer
    /// show that the cluster still counts it alive stops feeding and the device resets the machine within
    /// <see cref="TimeoutMs"/>. That reset is the bound a survivor without fencing waits on before it starts a lost
    /// node's groups. Off when <see cref="TimeoutMs"/> is 0.</summary>
    public sealed class WatchdogSettings
    {
        public const string DefaultDevice = "/dev/watchdog";

        /// <summary>Milliseconds the device waits for a feed before it resets the machine; 0 = no watchdog. Devices under
        /// /dev count whole seconds, so there it is a multiple of 1000.</summary>
        public int TimeoutMs { get; set; }
        /// <summary>The watchdog device. A path outside /dev is a stand-in file (tests, the demo): each feed rewrites it
        /// and the harness that watches it plays the reset.</summary>
        public string Device { get; set; } = DefaultDevice;

        public bool IsEnabled => TimeoutMs > 0;

        public override string ToString() => SafetySummary.Watchdog(this);
    }
}
