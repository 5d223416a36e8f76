package main

import (
	"fmt"
	"math/rand/v2"
)

// A convention is how one distributor's systems write their data: the
// shape of order, customer, shipment and item ids, the sites and the
// regions they ship to, and the carriers with their own names for their
// services. Most of the corpus is one US distributor (usConv); the
// conventions cases run the same situations on data written the way other
// ERPs and carriers write it, so that nothing in exdesk leans on one
// system's habits (DESIGN.md: carriers name their services differently).
type convention struct {
	name       string
	sites      []string
	siteRegion map[string]string
	regions    []string
	// lanes is a rough distance matrix (transit days, freight cost) from
	// each site to each region; every case jitters it.
	lanes map[string]map[string][2]float64
	// carriers nil: the US distributor's carriers, drawn as they always
	// were (LTL-STD and LTL-EXP for all of them).
	carriers []carrierConv
	cities   map[string][]city
	// ids and addresses; nil functions: the US distributor's.
	orderID    func(g *gen) string
	customerID func(g *gen) string
	poNumber   func(g *gen) string
	shipmentID func(g *gen) string
	sku        func(r *rand.Rand) string
	postalCode func(r *rand.Rand, c city) string
	country    func(region string) string
	// enRoute are places a shipment passes on its way.
	enRoute []string
	// siteCity is where each site is, for carrier events.
	siteCity map[string]string
}

// carrierConv is a carrier and its services, slowest first; orders book
// the first.
type carrierConv struct {
	carrierDef
	services []serviceDef
}

// serviceDef is a service and the ranges its transit days and cost are
// drawn from.
type serviceDef struct {
	name         string
	days         [2]int
	costLo, cost float64
}

var usConv = &convention{
	name: "us", sites: siteIDs, siteRegion: siteRegion, regions: regions, lanes: baseLanes, cities: cities,
	enRoute:  enRoute,
	siteCity: map[string]string{"DC-CHI": "Chicago, IL", "DC-ATL": "Atlanta, GA", "DC-DAL": "Dallas, TX"},
}

// nwConv is a US distributor on another ERP: NW-7815 order numbers, sites
// named after their towns, state-level regions, and carriers that call
// their services GROUND, ECON, 2DAY…
var nwConv = &convention{
	name:       "nw",
	sites:      []string{"WH-RNO", "WH-MEM", "WH-ALB"},
	siteRegion: map[string]string{"WH-RNO": "US-NV", "WH-MEM": "US-TN", "WH-ALB": "US-NY"},
	regions:    []string{"US-CA", "US-TX", "US-IL", "US-NY", "US-GA"},
	lanes: map[string]map[string][2]float64{
		"WH-RNO": {"US-CA": {1, 125}, "US-TX": {3, 260}, "US-IL": {3, 270}, "US-NY": {5, 360}, "US-GA": {4, 330}},
		"WH-MEM": {"US-CA": {4, 320}, "US-TX": {2, 170}, "US-IL": {1, 140}, "US-NY": {3, 240}, "US-GA": {1, 135}},
		"WH-ALB": {"US-CA": {5, 370}, "US-TX": {4, 300}, "US-IL": {2, 190}, "US-NY": {1, 110}, "US-GA": {3, 230}},
	},
	carriers: []carrierConv{
		{carrierDef{"UPSF", "UPS Freight", false, 0.95}, []serviceDef{{"GROUND", [2]int{3, 5}, 140, 320}, {"2DAY", [2]int{2, 2}, 330, 620}}},
		{carrierDef{"ESTS", "Estes Express", true, 0.93}, []serviceDef{{"ECON", [2]int{4, 6}, 120, 260}, {"STANDARD", [2]int{3, 4}, 180, 380}, {"GUARANTEED", [2]int{1, 2}, 420, 760}}},
		{carrierDef{"SAIA", "Saia LTL", true, 0.91}, []serviceDef{{"LTL", [2]int{3, 5}, 150, 340}, {"LTL-XPD", [2]int{1, 2}, 360, 700}}},
		{carrierDef{"RLC", "R+L Carriers", false, 0.9}, []serviceDef{{"STANDARD", [2]int{3, 5}, 130, 300}, {"GUARANTEED-AM", [2]int{1, 2}, 380, 720}}},
	},
	cities: map[string][]city{
		"US-CA": {{"Fresno", "937"}, {"Stockton", "952"}, {"Riverside", "925"}},
		"US-TX": {{"Waco", "767"}, {"Laredo", "780"}, {"Amarillo", "791"}},
		"US-IL": {{"Joliet", "604"}, {"Rockford", "611"}, {"Champaign", "618"}},
		"US-NY": {{"Syracuse", "132"}, {"Buffalo", "142"}, {"Utica", "135"}},
		"US-GA": {{"Savannah", "314"}, {"Augusta", "309"}, {"Athens", "306"}},
	},
	orderID:    func(g *gen) string { return fmt.Sprintf("NW-%d", 7000+g.r.IntN(2999)) },
	customerID: func(g *gen) string { return fmt.Sprintf("CUST%05d", 10000+g.r.IntN(89999)) },
	poNumber:   func(g *gen) string { return fmt.Sprintf("%d-%03d", 2026, 1+g.r.IntN(998)) },
	shipmentID: func(g *gen) string { return fmt.Sprintf("PRO%09d", 100000000+g.r.IntN(899999999)) },
	sku:        func(r *rand.Rand) string { return fmt.Sprintf("NW%05d", 10000+r.IntN(89999)) },
	enRoute:    []string{"near Denver, CO", "Oklahoma City, OK", "near Nashville, TN", "Kansas City, MO", "Pittsburgh, PA"},
	siteCity:   map[string]string{"WH-RNO": "Reno, NV", "WH-MEM": "Memphis, TN", "WH-ALB": "Albany, NY"},
}

// sapConv is a German distributor on SAP S/4HANA: 10-digit sales orders
// and customers with leading zeros, SAP deliveries as shipments, material
// numbers, German and neighbouring regions, European carriers.
var sapConv = &convention{
	name:       "sap",
	sites:      []string{"1010", "1020", "1030"},
	siteRegion: map[string]string{"1010": "DE-BY", "1020": "DE-HH", "1030": "DE-NW"},
	regions:    []string{"DE-BY", "DE-BE", "DE-NW", "AT-9", "NL-NH"},
	lanes: map[string]map[string][2]float64{
		"1010": {"DE-BY": {1, 95}, "DE-BE": {2, 160}, "DE-NW": {2, 150}, "AT-9": {1, 140}, "NL-NH": {3, 230}},
		"1020": {"DE-BY": {2, 170}, "DE-BE": {1, 115}, "DE-NW": {1, 125}, "AT-9": {3, 240}, "NL-NH": {2, 165}},
		"1030": {"DE-BY": {2, 155}, "DE-BE": {2, 150}, "DE-NW": {1, 90}, "AT-9": {2, 210}, "NL-NH": {1, 120}},
	},
	carriers: []carrierConv{
		{carrierDef{"DHLF", "DHL Freight", true, 0.95}, []serviceDef{{"EUROCONNECT", [2]int{2, 4}, 150, 330}, {"EUROCONNECT-PLUS", [2]int{1, 2}, 320, 600}}},
		{carrierDef{"DSV", "DSV Road", false, 0.92}, []serviceDef{{"ROAD", [2]int{3, 5}, 110, 250}, {"ROAD-XPRESS", [2]int{1, 2}, 300, 560}}},
		{carrierDef{"DBS", "DB Schenker", true, 0.93}, []serviceDef{{"SYSTEM", [2]int{2, 4}, 140, 310}, {"SYSTEM-PREMIUM", [2]int{1, 2}, 330, 640}}},
		{carrierDef{"RHE", "Rhenus Road", false, 0.9}, []serviceDef{{"ECON", [2]int{4, 6}, 90, 210}, {"STANDARD", [2]int{2, 4}, 150, 320}, {"NEXT-DAY", [2]int{1, 1}, 380, 700}}},
	},
	cities: map[string][]city{
		"DE-BY": {{"Augsburg", "861"}, {"Regensburg", "930"}, {"Ingolstadt", "850"}},
		"DE-BE": {{"Berlin", "101"}, {"Berlin", "126"}},
		"DE-NW": {{"Dortmund", "441"}, {"Bielefeld", "336"}, {"Aachen", "520"}},
		"AT-9":  {{"Wien", "11"}},
		"NL-NH": {{"Haarlem", "20"}, {"Zaandam", "15"}},
	},
	orderID:    func(g *gen) string { return fmt.Sprintf("%010d", 4470000+g.r.IntN(9999)) },
	customerID: func(g *gen) string { return fmt.Sprintf("%010d", 100000+g.r.IntN(99999)) },
	poNumber:   func(g *gen) string { return fmt.Sprintf("45%08d", g.r.IntN(99999999)) },
	shipmentID: func(g *gen) string { return fmt.Sprintf("80%06d", g.r.IntN(999999)) },
	sku:        func(r *rand.Rand) string { return fmt.Sprintf("MAT-%06d", 100000+r.IntN(899999)) },
	postalCode: func(r *rand.Rand, c city) string {
		switch {
		case c.name == "Wien":
			return fmt.Sprintf("1%02d0", 1+r.IntN(23))
		case len(c.zip3) == 2: // the Netherlands: 2011 AB
			return fmt.Sprintf("%s%02d %c%c", c.zip3, r.IntN(100), 'A'+rune(r.IntN(26)), 'A'+rune(r.IntN(26)))
		}
		return fmt.Sprintf("%s%02d", c.zip3, r.IntN(100))
	},
	country:  func(region string) string { return region[:2] },
	enRoute:  []string{"near Nürnberg", "near Kassel", "Hannover", "near Würzburg", "Köln"},
	siteCity: map[string]string{"1010": "München", "1020": "Hamburg", "1030": "Duisburg"},
}

// caConv is a Canadian distributor: SO/2026/0390 order numbers,
// provinces as regions, Canadian carriers and postal codes.
var caConv = &convention{
	name:       "ca",
	sites:      []string{"DC-TOR", "DC-MTL", "DC-VAN"},
	siteRegion: map[string]string{"DC-TOR": "CA-ON", "DC-MTL": "CA-QC", "DC-VAN": "CA-BC"},
	regions:    []string{"CA-ON", "CA-QC", "CA-BC", "CA-AB", "CA-NS"},
	lanes: map[string]map[string][2]float64{
		"DC-TOR": {"CA-ON": {1, 110}, "CA-QC": {1, 150}, "CA-BC": {5, 420}, "CA-AB": {4, 360}, "CA-NS": {3, 280}},
		"DC-MTL": {"CA-ON": {1, 150}, "CA-QC": {1, 105}, "CA-BC": {6, 450}, "CA-AB": {5, 390}, "CA-NS": {2, 230}},
		"DC-VAN": {"CA-ON": {5, 410}, "CA-QC": {6, 440}, "CA-BC": {1, 100}, "CA-AB": {2, 190}, "CA-NS": {7, 520}},
	},
	carriers: []carrierConv{
		{carrierDef{"PURF", "Purolator Freight", true, 0.94}, []serviceDef{{"GROUND", [2]int{3, 5}, 160, 360}, {"EXPRESS", [2]int{1, 2}, 380, 700}}},
		{carrierDef{"DAYR", "Day & Ross", false, 0.92}, []serviceDef{{"LTL", [2]int{3, 5}, 140, 330}, {"LTL-GUARANTEED", [2]int{2, 3}, 300, 560}}},
		{carrierDef{"MANT", "Manitoulin Transport", true, 0.9}, []serviceDef{{"ECON", [2]int{4, 6}, 120, 280}, {"2DAY", [2]int{2, 2}, 310, 590}}},
		{carrierDef{"CNPR", "Canpar Express", false, 0.93}, []serviceDef{{"GROUND", [2]int{3, 5}, 130, 300}, {"SELECT", [2]int{1, 2}, 340, 650}}},
	},
	cities: map[string][]city{
		"CA-ON": {{"Hamilton", "L8P"}, {"London", "N6A"}, {"Ottawa", "K1P"}},
		"CA-QC": {{"Laval", "H7N"}, {"Québec", "G1R"}, {"Sherbrooke", "J1H"}},
		"CA-BC": {{"Surrey", "V3T"}, {"Kelowna", "V1Y"}, {"Victoria", "V8W"}},
		"CA-AB": {{"Calgary", "T2P"}, {"Edmonton", "T5J"}, {"Red Deer", "T4N"}},
		"CA-NS": {{"Halifax", "B3H"}, {"Truro", "B2N"}},
	},
	orderID:    func(g *gen) string { return fmt.Sprintf("SO/2026/%04d", 1+g.r.IntN(9998)) },
	customerID: func(g *gen) string { return fmt.Sprintf("CA-%05d", 10000+g.r.IntN(89999)) },
	poNumber:   func(g *gen) string { return fmt.Sprintf("PO%d", 300000+g.r.IntN(699999)) },
	shipmentID: func(g *gen) string { return fmt.Sprintf("%d", 7300000000+g.r.Int64N(99999999)) },
	sku:        func(r *rand.Rand) string { return fmt.Sprintf("%03d-%04d", 100+r.IntN(899), r.IntN(9999)) },
	postalCode: func(r *rand.Rand, c city) string {
		return fmt.Sprintf("%s %d%c%d", c.zip3, r.IntN(10), 'A'+rune(r.IntN(26)), r.IntN(10))
	},
	country:  func(string) string { return "CA" },
	enRoute:  []string{"near Thunder Bay, ON", "Winnipeg, MB", "near Sudbury, ON", "Regina, SK", "Moncton, NB"},
	siteCity: map[string]string{"DC-TOR": "Toronto, ON", "DC-MTL": "Montréal, QC", "DC-VAN": "Vancouver, BC"},
}

// otherConventions rotate through the conventions cases.
var otherConventions = []*convention{nwConv, sapConv, caConv}

// carrierCodes lists the convention's carriers: all of them, or those
// with (hazmat true) or without hazmat certification.
func (cv *convention) carrierCodes(all, hazmat bool) []string {
	if cv.carriers == nil {
		switch {
		case all:
			return allCarriers
		case hazmat:
			return certifiedCarriers
		}
		return uncertifiedCarriers
	}
	var out []string
	for _, cr := range cv.carriers {
		if all || cr.hazmat == hazmat {
			out = append(out, cr.code)
		}
	}
	return out
}

// standardService is the service orders book with a carrier.
func (cv *convention) standardService(code string) string {
	for _, cr := range cv.carriers {
		if cr.code == code {
			return cr.services[0].name
		}
	}
	return "LTL-STD"
}
