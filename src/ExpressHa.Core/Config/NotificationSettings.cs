namespace ExpressHa.Config
{
    public sealed class NotificationSettings
    {
        public SnsNotification? Sns { get; set; }

        public override string ToString() => Sns == null ? "none" : "sns " + Sns;
    }

    public sealed class SnsNotification
    {
        public string TopicArn { get; set; } = "";
        /// <summary>Alerts at or above this level are published: info, warning or error.</summary>
        public string MinLevel { get; set; } = AlertLevels.Warning;

        public override string ToString() => $"{TopicArn} ({MinLevel} and above)";
    }

    public static class AlertLevels
    {
        public const string Info = "info";
        public const string Warning = "warning";
        public const string Error = "error";
        public static readonly string[] All = { Info, Warning, Error };
    }
}
