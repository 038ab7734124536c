package io.hapireindex.demo;

import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's clinical sample, built deterministically from the patient number (no randomness, no clock), so
 * every run stores the same resources under the same ids: {@code Patient/demo-N} and, for each patient,
 * {@code Encounter/demo-N-enc}, {@code Condition/demo-N-cond} and the four vital signs
 * {@code Observation/demo-N-hr|weight|height|temp}.
 */
final class DemoBundles {

	static final int PATIENTS = 40;
	static final String BIRTH_PLACE_URL = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace";

	private static final String LOINC = "http://loinc.org";
	private static final String SNOMED = "http://snomed.info/sct";
	private static final String UCUM = "http://unitsofmeasure.org";
	private static final String MRN_SYSTEM = "http://example.org/fhir/mrn";

	private static final String[] FAMILY = {
		"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
		"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin"
	};
	private static final String[] GIVEN_FEMALE = {
		"Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen"
	};
	private static final String[] GIVEN_MALE = {
		"James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas", "Charles"
	};
	/** Where patients live: city, state, postal code. */
	private static final String[][] HOMES = {
		{"Boston", "MA", "02118"}, {"Cambridge", "MA", "02139"}, {"Worcester", "MA", "01608"},
		{"Springfield", "MA", "01103"}, {"Providence", "RI", "02903"}, {"Hartford", "CT", "06103"},
		{"Portland", "ME", "04101"}, {"Burlington", "VT", "05401"}
	};
	private static final String[] STREETS = {"Main St", "Elm St", "Oak Ave", "Maple Rd", "Washington St", "Park Ave"};
	/**
	 * Birth places: every third patient (1, 4, 7, ... 40) has the patient-birthPlace extension, cycling through
	 * these cities, so patients 1, 13, 25 and 37 were born in Boston.
	 */
	private static final String[][] BIRTH_PLACES = {
		{"Boston", "MA", "US"}, {"Chicago", "IL", "US"}, {"Dublin", null, "IE"}, {"San Juan", "PR", "US"}
	};
	/** SNOMED CT clinical findings: code, display. */
	private static final String[][] CONDITIONS = {
		{"38341003", "Hypertensive disorder, systemic arterial (disorder)"},
		{"44054006", "Diabetes mellitus type 2 (disorder)"},
		{"195967001", "Asthma (disorder)"},
		{"55822004", "Hyperlipidemia (disorder)"},
		{"10509002", "Acute bronchitis (disorder)"},
		{"40055000", "Chronic sinusitis (disorder)"}
	};

	private DemoBundles() {}

	/** Transaction bundles of {@code patientsPerBundle} patients each, with all their resources. */
	static List<Bundle> transactions(int patientsPerBundle) {
		List<Bundle> bundles = new ArrayList<>();
		Bundle current = null;
		for (int n = 1; n <= PATIENTS; n++) {
			if ((n - 1) % patientsPerBundle == 0) {
				current = new Bundle().setType(Bundle.BundleType.TRANSACTION);
				bundles.add(current);
			}
			for (Resource resource : resourcesOf(n)) {
				String url = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
				current.addEntry()
						.setFullUrl(url)
						.setResource(resource)
						.getRequest()
						.setMethod(Bundle.HTTPVerb.PUT)
						.setUrl(url);
			}
		}
		return bundles;
	}

	/** The city patient {@code n} was born in, or null when the patient has no birthPlace extension. */
	static String birthCity(int n) {
		return (n - 1) % 3 == 0 ? BIRTH_PLACES[((n - 1) / 3) % BIRTH_PLACES.length][0] : null;
	}

	static String patientId(int n) {
		return "demo-" + n;
	}

	private static List<Resource> resourcesOf(int n) {
		List<Resource> resources = new ArrayList<>();
		Patient patient = patient(n);
		Encounter encounter = encounter(n);
		resources.add(patient);
		resources.add(encounter);
		resources.add(vital(n, "hr", "8867-4", "Heart rate", heartRate(n), "/min", "beats/minute"));
		resources.add(vital(n, "weight", "29463-7", "Body weight", weight(n), "kg", "kg"));
		resources.add(vital(n, "height", "8302-2", "Body height", height(n), "cm", "cm"));
		resources.add(vital(n, "temp", "8310-5", "Body temperature", temperature(n), "Cel", "C"));
		resources.add(condition(n));
		return resources;
	}

	private static Patient patient(int n) {
		boolean female = n % 2 == 1;
		Patient p = new Patient();
		p.setId(patientId(n));
		p.addIdentifier(new Identifier().setSystem(MRN_SYSTEM).setValue(String.format("MRN-%04d", n)));
		String given = female ? GIVEN_FEMALE[(n / 2) % GIVEN_FEMALE.length] : GIVEN_MALE[(n / 2) % GIVEN_MALE.length];
		p.addName()
				.setUse(HumanName.NameUse.OFFICIAL)
				.setFamily(FAMILY[(n * 7) % FAMILY.length])
				.addGiven(given);
		p.setGender(female ? AdministrativeGender.FEMALE : AdministrativeGender.MALE);
		p.setBirthDateElement(new DateType(String.format("%d-%02d-%02d", 1940 + (n * 13) % 60, 1 + (n * 5) % 12, 1 + (n * 11) % 28)));
		String[] home = HOMES[n % HOMES.length];
		p.addAddress(new Address()
				.setUse(Address.AddressUse.HOME)
				.addLine((10 + n * 17) + " " + STREETS[n % STREETS.length])
				.setCity(home[0])
				.setState(home[1])
				.setPostalCode(home[2])
				.setCountry("US"));
		if (birthCity(n) != null) {
			String[] place = BIRTH_PLACES[((n - 1) / 3) % BIRTH_PLACES.length];
			Address birthPlace = new Address().setCity(place[0]).setCountry(place[2]);
			if (place[1] != null) {
				birthPlace.setState(place[1]);
			}
			p.addExtension(BIRTH_PLACE_URL, birthPlace);
		}
		return p;
	}

	private static Encounter encounter(int n) {
		Encounter e = new Encounter();
		e.setId(patientId(n) + "-enc");
		e.setStatus(Encounter.EncounterStatus.FINISHED);
		e.setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"));
		e.addType(new CodeableConcept(new Coding(SNOMED, "185349003", "Encounter for check up (procedure)")));
		e.setSubject(new Reference("Patient/" + patientId(n)));
		String day = visitDay(n);
		e.setPeriod(new Period()
				.setStartElement(new DateTimeType(day + "T09:00:00Z"))
				.setEndElement(new DateTimeType(day + "T09:30:00Z")));
		return e;
	}

	private static Observation vital(
			int n, String suffix, String loinc, String display, BigDecimal value, String ucum, String unit) {
		Observation o = new Observation();
		o.setId(patientId(n) + "-" + suffix);
		o.setStatus(Observation.ObservationStatus.FINAL);
		o.addCategory(new CodeableConcept(new Coding(
				"http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", "Vital Signs")));
		o.setCode(new CodeableConcept(new Coding(LOINC, loinc, display)).setText(display));
		o.setSubject(new Reference("Patient/" + patientId(n)));
		o.setEncounter(new Reference("Encounter/" + patientId(n) + "-enc"));
		o.setEffective(new DateTimeType(visitDay(n) + "T09:10:00Z"));
		o.setValue(new Quantity().setValue(value).setUnit(unit).setSystem(UCUM).setCode(ucum));
		return o;
	}

	private static Condition condition(int n) {
		String[] snomed = CONDITIONS[n % CONDITIONS.length];
		Condition c = new Condition();
		c.setId(patientId(n) + "-cond");
		c.setClinicalStatus(new CodeableConcept(
				new Coding("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active")));
		c.setVerificationStatus(new CodeableConcept(
				new Coding("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed")));
		c.addCategory(new CodeableConcept(new Coding(
				"http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis", "Encounter Diagnosis")));
		c.setCode(new CodeableConcept(new Coding(SNOMED, snomed[0], snomed[1])));
		c.setSubject(new Reference("Patient/" + patientId(n)));
		c.setEncounter(new Reference("Encounter/" + patientId(n) + "-enc"));
		c.setOnset(new DateTimeType(String.format("%d-%02d-15", 2010 + n % 14, 1 + (n * 3) % 12)));
		c.setRecordedDateElement(new DateTimeType(visitDay(n) + "T09:20:00Z"));
		return c;
	}

	/** Each patient's check-up day in 2024, spread over the year. */
	private static String visitDay(int n) {
		return String.format("2024-%02d-%02d", 1 + (n * 7) % 12, 1 + (n * 3) % 28);
	}

	private static BigDecimal heartRate(int n) {
		return BigDecimal.valueOf(58 + (n * 7) % 40);
	}

	private static BigDecimal weight(int n) {
		return BigDecimal.valueOf(520 + (n * 37) % 480, 1);
	}

	private static BigDecimal height(int n) {
		return BigDecimal.valueOf(1520 + (n * 29) % 400, 1);
	}

	private static BigDecimal temperature(int n) {
		return BigDecimal.valueOf(361 + (n * 3) % 15, 1).setScale(1, RoundingMode.UNNECESSARY);
	}
}
