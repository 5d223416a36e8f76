package x12

import (
	"fmt"
	"strconv"
	"time"
)

// ParseDate reads an X12 date: CCYYMMDD, or YYMMDD (century 20).
func ParseDate(s string) (time.Time, error) {
	switch len(s) {
	case 6:
		s = "20" + s
	case 8:
	default:
		return time.Time{}, fmt.Errorf("%q is not a date CCYYMMDD", s)
	}
	t, err := time.Parse("20060102", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date CCYYMMDD", s)
	}
	return t, nil
}

// parseClock reads an X12 time: HHMM, HHMMSS, HHMMSSD or HHMMSSDD.
func parseClock(s string) (h, m, sec, nsec int, err error) {
	bad := fmt.Errorf("%q is not a time HHMM[SS[D[D]]]", s)
	if len(s) != 4 && len(s) != 6 && len(s) != 7 && len(s) != 8 || !isDigits(s) {
		return 0, 0, 0, 0, bad
	}
	h, _ = strconv.Atoi(s[0:2])
	m, _ = strconv.Atoi(s[2:4])
	if len(s) >= 6 {
		sec, _ = strconv.Atoi(s[4:6])
	}
	if len(s) > 6 {
		frac, _ := strconv.Atoi(s[6:])
		if len(s) == 7 {
			nsec = frac * 100_000_000
		} else {
			nsec = frac * 10_000_000
		}
	}
	if h > 23 || m > 59 || sec > 59 {
		return 0, 0, 0, 0, bad
	}
	return h, m, sec, nsec, nil
}

// zone returns the UTC offset, in seconds, that an X12 time code (element
// 623) means at the local wall time t. Named US zones without a D/S letter
// (ET, CT, MT, PT, AT, HT) follow US daylight saving time (second Sunday
// of March to first Sunday of November, 2:00 local). LT (local time) and
// an absent code use def.
func zone(code string, t time.Time, def *time.Location) (*time.Location, error) {
	fixed := func(h int) *time.Location { return time.FixedZone(code, h*3600) }
	us := func(std int) *time.Location {
		if usDST(t) {
			return fixed(std + 1)
		}
		return fixed(std)
	}
	switch code {
	case "", "LT":
		if def == nil {
			return time.UTC, nil
		}
		return def, nil
	case "UT", "GM":
		return time.UTC, nil
	case "ED":
		return fixed(-4), nil
	case "ES":
		return fixed(-5), nil
	case "ET":
		return us(-5), nil
	case "CD":
		return fixed(-5), nil
	case "CS":
		return fixed(-6), nil
	case "CT":
		return us(-6), nil
	case "MD":
		return fixed(-6), nil
	case "MS":
		return fixed(-7), nil
	case "MT":
		return us(-7), nil
	case "PD":
		return fixed(-7), nil
	case "PS":
		return fixed(-8), nil
	case "PT":
		return us(-8), nil
	case "AD":
		return fixed(-8), nil
	case "AS":
		return fixed(-9), nil
	case "AT":
		return us(-9), nil
	case "HD":
		return fixed(-9), nil
	case "HS":
		return fixed(-10), nil
	case "HT":
		return fixed(-10), nil // Hawaii keeps standard time
	case "TD":
		return fixed(-3), nil
	case "TS":
		return fixed(-4), nil
	case "TT":
		return us(-4), nil
	case "ND":
		return time.FixedZone(code, -150*60), nil
	case "NS":
		return time.FixedZone(code, -210*60), nil
	case "NT":
		if usDST(t) {
			return time.FixedZone(code, -150*60), nil
		}
		return time.FixedZone(code, -210*60), nil
	}
	if n, err := strconv.Atoi(code); err == nil && len(code) == 2 && n >= 1 && n <= 24 {
		// 01–12 are UTC+1 … +12; 13–24 are UTC−12 … −1.
		if n <= 12 {
			return fixed(n), nil
		}
		return fixed(n - 25), nil
	}
	return nil, fmt.Errorf("%q is not an X12 time code (UT, ET, CT, MT, PT, LT, 01–24 …)", code)
}

// usDST reports whether US daylight saving time is in effect at the local
// wall time t (rules since 2007).
func usDST(t time.Time) bool {
	y := t.Year()
	start := nthSunday(y, time.March, 2).Add(2 * time.Hour)
	end := nthSunday(y, time.November, 1).Add(2 * time.Hour)
	w := time.Date(y, t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
	return !w.Before(start) && w.Before(end)
}

func nthSunday(y int, m time.Month, n int) time.Time {
	d := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	for d.Weekday() != time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d.AddDate(0, 0, 7*(n-1))
}

// DateTime combines an X12 date, time and time code into an instant. An
// empty time is midnight; def is the zone of local times.
func DateTime(date, clock, code string, def *time.Location) (time.Time, error) {
	d, err := ParseDate(date)
	if err != nil {
		return time.Time{}, err
	}
	var h, m, s, ns int
	if clock != "" {
		if h, m, s, ns, err = parseClock(clock); err != nil {
			return time.Time{}, err
		}
	}
	wall := time.Date(d.Year(), d.Month(), d.Day(), h, m, s, ns, time.UTC)
	loc, err := zone(code, wall, def)
	if err != nil {
		return time.Time{}, err
	}
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, s, ns, loc).UTC(), nil
}
