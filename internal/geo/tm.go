package geo

import "math"

// ellipsoid is a reference ellipsoid by its semi-major axis and flattening.
type ellipsoid struct{ a, f float64 }

var (
	wgs84Ellipsoid = ellipsoid{a: 6378137, f: 1 / 298.257223563}
	// International 1924 (Hayford), the ellipsoid of PSAD56 (EPSG:7022).
	intl1924 = ellipsoid{a: 6378388, f: 1 / 297.0}
)

func (e ellipsoid) e2() float64 { return e.f * (2 - e.f) }

// transverseMercator holds the Krüger series of one ellipsoid to order n⁶,
// as given by C. F. F. Karney, "Transverse Mercator with an accuracy of a few
// nanometers", J. Geodesy 85 (2011), eqs. (35) and (36): accurate to well
// under a millimetre within a UTM zone (the classic Snyder series that
// older libraries use drift by decimetres at a zone's edge).
type transverseMercator struct {
	e           float64 // eccentricity
	aa          float64 // A, the meridian's rectifying radius
	alpha, beta [7]float64
}

func newTransverseMercator(el ellipsoid) transverseMercator {
	n := el.f / (2 - el.f)
	n2, n3 := n*n, n*n*n
	n4, n5, n6 := n3*n, n3*n2, n3*n3
	t := transverseMercator{e: math.Sqrt(el.e2()), aa: el.a / (1 + n) * (1 + n2/4 + n4/64 + n6/256)}
	t.alpha = [7]float64{0,
		n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180 - 127*n5/288 + 7891*n6/37800,
		13*n2/48 - 3*n3/5 + 557*n4/1440 + 281*n5/630 - 1983433*n6/1935360,
		61*n3/240 - 103*n4/140 + 15061*n5/26880 + 167603*n6/181440,
		49561*n4/161280 - 179*n5/168 + 6601661*n6/7257600,
		34729*n5/80640 - 3418889*n6/1995840,
		212378941 * n6 / 319334400,
	}
	t.beta = [7]float64{0,
		n/2 - 2*n2/3 + 37*n3/96 - n4/360 - 81*n5/512 + 96199*n6/604800,
		n2/48 + n3/15 - 437*n4/1440 + 46*n5/105 - 1118711*n6/3870720,
		17*n3/480 - 37*n4/840 - 209*n5/4480 + 5569*n6/90720,
		4397*n4/161280 - 11*n5/504 - 830251*n6/7257600,
		4583*n5/161280 - 108847*n6/3991680,
		20648693 * n6 / 638668800,
	}
	return t
}

// forward maps latitude and longitude from the central meridian (radians)
// to x (east) and y (north) in metres on the unscaled projection.
func (t transverseMercator) forward(phi, lambda float64) (x, y float64) {
	sinPhi := math.Sin(phi)
	tau := math.Tan(phi)
	sigma := math.Sinh(t.e * math.Atanh(t.e*sinPhi))
	tauP := tau*math.Sqrt(1+sigma*sigma) - sigma*math.Sqrt(1+tau*tau) // conformal latitude's tangent
	cosL := math.Cos(lambda)
	xiP := math.Atan2(tauP, cosL)
	etaP := math.Asinh(math.Sin(lambda) / math.Hypot(tauP, cosL))
	xi, eta := xiP, etaP
	for j := 1; j <= 6; j++ {
		fj := float64(2 * j)
		xi += t.alpha[j] * math.Sin(fj*xiP) * math.Cosh(fj*etaP)
		eta += t.alpha[j] * math.Cos(fj*xiP) * math.Sinh(fj*etaP)
	}
	return t.aa * eta, t.aa * xi
}

// inverse is forward's inverse.
func (t transverseMercator) inverse(x, y float64) (phi, lambda float64) {
	xi, eta := y/t.aa, x/t.aa
	xiP, etaP := xi, eta
	for j := 1; j <= 6; j++ {
		fj := float64(2 * j)
		xiP -= t.beta[j] * math.Sin(fj*xi) * math.Cosh(fj*eta)
		etaP -= t.beta[j] * math.Cos(fj*xi) * math.Sinh(fj*eta)
	}
	sinhEta := math.Sinh(etaP)
	cosXi := math.Cos(xiP)
	tauP := math.Sin(xiP) / math.Hypot(sinhEta, cosXi)
	lambda = math.Atan2(sinhEta, cosXi)
	// Newton's method for τ from τ′ (Karney 2011, eqs. 19–21).
	e2 := t.e * t.e
	tau := tauP
	for range 8 {
		sigma := math.Sinh(t.e * math.Atanh(t.e*tau/math.Sqrt(1+tau*tau)))
		tauI := tau*math.Sqrt(1+sigma*sigma) - sigma*math.Sqrt(1+tau*tau)
		d := (tauP - tauI) / math.Sqrt(1+tauI*tauI) * (1 + (1-e2)*tau*tau) / ((1 - e2) * math.Sqrt(1+tau*tau))
		tau += d
		if math.Abs(d) < 1e-14 {
			break
		}
	}
	return math.Atan(tau), lambda
}

// geocentric converts geodetic coordinates (radians, height 0) on el to
// Earth-centred Cartesian coordinates in metres.
func geocentric(el ellipsoid, phi, lambda float64) (x, y, z float64) {
	e2 := el.e2()
	sin := math.Sin(phi)
	n := el.a / math.Sqrt(1-e2*sin*sin)
	return n * math.Cos(phi) * math.Cos(lambda), n * math.Cos(phi) * math.Sin(lambda), n * (1 - e2) * sin
}

// geodetic is geocentric's inverse (the height is dropped), by iteration:
// three rounds reach far below a millimetre for points near the surface.
func geodetic(el ellipsoid, x, y, z float64) (phi, lambda float64) {
	e2 := el.e2()
	p := math.Hypot(x, y)
	phi = math.Atan2(z, p*(1-e2))
	for range 5 {
		sin := math.Sin(phi)
		n := el.a / math.Sqrt(1-e2*sin*sin)
		phi = math.Atan2(z+e2*n*sin, p)
	}
	return phi, math.Atan2(y, x)
}
