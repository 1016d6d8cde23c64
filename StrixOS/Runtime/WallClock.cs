using System.Runtime;
using StrixOS.Cpu;
using StrixOS.Plugs;

namespace StrixOS.Runtime;

/// <summary>
/// The wall clock behind DateTime.UtcNow (SystemNative_GetSystemTimeAsTicks): the CMOS real-time clock,
/// read once, advanced by the calibrated TSC. The RTC is taken to hold UTC (QEMU's default, and what a
/// unikernel should set); it counts whole seconds, so the clock starts within one second of the RTC.
/// </summary>
public static class WallClock
{
    private const long TicksPerSecond = 10_000_000;
    private static long s_bootUnixTicks;
    private static ulong s_bootNanoseconds;
    private static bool s_read;

    /// <summary>100 ns ticks since 1970-01-01 00:00 UTC.</summary>
    public static long UnixTicks
    {
        get
        {
            if (!s_read)
            {
                s_bootUnixTicks = Rtc.ReadUnixSeconds() * TicksPerSecond;
                s_bootNanoseconds = Timestamp.Nanoseconds;
                s_read = true;
            }
            return s_bootUnixTicks + (long)((Timestamp.Nanoseconds - s_bootNanoseconds) / 100);
        }
    }

    [RuntimeExport("SystemNative_GetSystemTimeAsTicks")]
    private static long GetSystemTimeAsTicks() => UnixTicks;

    /// <summary>The MC146818-compatible CMOS clock (ports 0x70/0x71).</summary>
    public static class Rtc
    {
        private const ushort Index = 0x70, Data = 0x71;

        private static byte Read(byte register)
        {
            Ports.Out8(Index, register);
            return Ports.In8(Data);
        }

        private static bool UpdateInProgress() => (Read(0x0A) & 0x80) != 0;

        /// <summary>Seconds since the Unix epoch; reads until two consecutive reads agree (no torn update).</summary>
        public static long ReadUnixSeconds()
        {
            long previous = -1;
            for (int attempt = 0; attempt < 1000; attempt++)
            {
                for (int spin = 0; spin < 1_000_000 && UpdateInProgress(); spin++) { }
                long now = ReadOnce();
                if (now == previous)
                    return now;
                previous = now;
            }
            return previous;
        }

        private static long ReadOnce()
        {
            int second = Read(0x00), minute = Read(0x02), hour = Read(0x04);
            int day = Read(0x07), month = Read(0x08), year = Read(0x09), century = Read(0x32);
            byte status = Read(0x0B);
            bool binary = (status & 0x04) != 0, twentyFourHour = (status & 0x02) != 0;
            bool pm = (hour & 0x80) != 0;
            hour &= 0x7F;
            if (!binary)
            {
                second = FromBcd(second); minute = FromBcd(minute); hour = FromBcd(hour);
                day = FromBcd(day); month = FromBcd(month); year = FromBcd(year); century = FromBcd(century);
            }
            if (!twentyFourHour)
                hour = (hour % 12) + (pm ? 12 : 0);
            int fullYear = century is >= 19 and <= 99 ? century * 100 + year : 2000 + year;
            return DaysFromCivil(fullYear, month, day) * 86400L + hour * 3600L + minute * 60L + second;
        }

        private static int FromBcd(int value) => (value & 0x0F) + (value >> 4) * 10;

        /// <summary>Days from 1970-01-01 to the given proleptic Gregorian date (an era-based count).</summary>
        public static long DaysFromCivil(int year, int month, int day)
        {
            year -= month <= 2 ? 1 : 0;
            long era = (year >= 0 ? year : year - 399) / 400;
            long yearOfEra = year - era * 400;
            long dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
            long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
            return era * 146097 + dayOfEra - 719468;
        }
    }
}
