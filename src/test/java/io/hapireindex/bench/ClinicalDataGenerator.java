package io.hapireindex.bench;

import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Claim;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Coverage;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.ExplanationOfBenefit;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Money;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A deterministic clinical data set in roughly the shares of a Synthea export: per patient a handful of
 * encounters, each with vital signs and labs, conditions, procedures, prescriptions, reports, immunizations and
 * the claim / explanation of benefit pair billing produces; plus shared practitioners, organizations and
 * locations. Every patient's resources come from a Random seeded by (seed, patient number), so the data do not
 * depend on load order or threads, and the same (size, seed, {@link #VERSION}) always gives the same bodies.
 *
 * <p>Resources carry client-assigned ids ({@code prefix + kind + number}) and literal references, and one
 * transaction holds whole patients, so references resolve inside it.
 */
public final class ClinicalDataGenerator {

	/** Bump when the generated bodies change, so stored data sets are reloaded. */
	public static final int VERSION = 2;

	static final String LOINC = "http://loinc.org";
	static final String SNOMED = "http://snomed.info/sct";
	static final String UCUM = "http://unitsofmeasure.org";
	static final String RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";
	static final String CVX = "http://hl7.org/fhir/sid/cvx";
	static final String OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category";
	static final String MRN = "http://hospital.example.org/mrn";
	static final String SSN = "http://hl7.org/fhir/sid/us-ssn";
	static final String NPI = "http://hl7.org/fhir/sid/us-npi";

	/** LOINC code, display, UCUM unit, low, high, decimals, category. */
	private static final Object[][] OBSERVATIONS = {
		{"8867-4", "Heart rate", "/min", 55, 110, 0, "vital-signs"},
		{"9279-1", "Respiratory rate", "/min", 12, 22, 0, "vital-signs"},
		{"29463-7", "Body weight", "kg", 45, 120, 1, "vital-signs"},
		{"8302-2", "Body height", "cm", 150, 195, 1, "vital-signs"},
		{"39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", 18, 38, 1, "vital-signs"},
		{"8310-5", "Body temperature", "Cel", 36, 39, 1, "vital-signs"},
		{"2339-0", "Glucose [Mass/volume] in Blood", "mg/dL", 65, 180, 0, "laboratory"},
		{"2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 140, 280, 0, "laboratory"},
		{"2571-8", "Triglycerides", "mg/dL", 60, 300, 0, "laboratory"},
		{"4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 4, 10, 1, "laboratory"},
		{"6299-2", "Urea nitrogen [Mass/volume] in Blood", "mg/dL", 7, 25, 1, "laboratory"},
		{"38483-4", "Creatinine [Mass/volume] in Blood", "mg/dL", 0, 2, 2, "laboratory"},
		{"72166-2", "Tobacco smoking status", null, 0, 0, 0, "social-history"},
		{"85354-9", "Blood pressure panel with all children optional", "mm[Hg]", 0, 0, 0, "vital-signs"},
	};
	private static final String[][] SMOKING = {{"266919005", "Never smoker"}, {"8517006", "Ex-smoker"}, {"77176002", "Smoker"}};
	private static final String[][] CONDITIONS = {
		{"44054006", "Diabetes mellitus type 2"}, {"38341003", "Hypertensive disorder"},
		{"195662009", "Acute viral pharyngitis"}, {"10509002", "Acute bronchitis"}, {"271737000", "Anemia"},
		{"40055000", "Chronic sinusitis"}, {"55822004", "Hyperlipidemia"}, {"162864005", "Body mass index 30+ - obesity"},
		{"444814009", "Viral sinusitis"}, {"72892002", "Normal pregnancy"}, {"15777000", "Prediabetes"},
	};
	private static final String[][] PROCEDURES = {
		{"430193006", "Medication Reconciliation (procedure)"}, {"710824005", "Assessment of health and social care needs"},
		{"171207006", "Depression screening"}, {"428191000124101", "Documentation of current medications"},
		{"162673000", "General examination of patient"}, {"73761001", "Colonoscopy"}, {"268556000", "Urine screening"},
	};
	private static final String[][] MEDICATIONS = {
		{"860975", "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet"},
		{"314076", "lisinopril 10 MG Oral Tablet"}, {"197361", "amlodipine 5 MG Oral Tablet"},
		{"308136", "amLODIPine 2.5 MG Oral Tablet"}, {"312961", "simvastatin 20 MG Oral Tablet"},
		{"834060", "Penicillin V Potassium 250 MG Oral Tablet"}, {"313782", "Acetaminophen 325 MG Oral Tablet"},
	};
	private static final String[][] VACCINES = {
		{"140", "Influenza, seasonal, injectable, preservative free"}, {"113", "Td (adult) preservative free"},
		{"133", "Pneumococcal conjugate PCV 13"}, {"208", "SARS-COV-2 (COVID-19) vaccine, mRNA"}, {"08", "Hep B, adolescent or pediatric"},
	};
	private static final String[][] ENCOUNTER_TYPES = {
		{"185349003", "Encounter for check up (procedure)", "AMB"}, {"185345009", "Encounter for symptom", "AMB"},
		{"50849002", "Emergency room admission", "EMER"}, {"183452005", "Emergency hospital admission", "IMP"},
		{"390906007", "Follow-up encounter", "AMB"},
	};
	private static final String[] GIVEN_F = {"Maria", "Linda", "Susan", "Karen", "Nancy", "Emily", "Olivia", "Sofia", "Ava", "Mia"};
	private static final String[] GIVEN_M = {"James", "John", "Robert", "Michael", "David", "Daniel", "Luis", "Noah", "Liam", "Omar"};
	private static final String[] FAMILY = {"Smith", "Johnson", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Lee",
		"Walker", "Hall", "Young", "King", "Wright", "Lopez", "Hill", "Scott", "Green", "Adams", "Baker", "Nelson"};
	private static final String[][] CITIES = {
		{"Boston", "MA", "02118"}, {"Worcester", "MA", "01608"}, {"Springfield", "MA", "01103"}, {"Cambridge", "MA", "02139"},
		{"Lowell", "MA", "01852"}, {"Brockton", "MA", "02301"}, {"Quincy", "MA", "02169"}, {"Lynn", "MA", "01901"},
	};
	private static final String[] STREETS = {"Main St", "Oak Ave", "Elm St", "Washington St", "Maple Dr", "Park Rd", "Cedar Ln"};

	private final int size;
	private final long seed;
	private final String prefix;
	private final int practitioners;
	private final int organizations;
	private final int locations;

	/**
	 * @param size   number of resources to generate, exactly
	 * @param seed   the data set's seed
	 * @param prefix id prefix (lets a test put a data set next to other data)
	 */
	public ClinicalDataGenerator(int size, long seed, String prefix) {
		this.size = size;
		this.seed = seed;
		this.prefix = prefix;
		this.practitioners = Math.max(2, size / 400);
		this.organizations = Math.max(1, size / 2000);
		this.locations = Math.max(1, size / 2000);
	}

	public int size() {
		return size;
	}

	/** The shared practitioners, organizations and locations: load these first. */
	public Bundle sharedTransaction() {
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		Random r = new Random(seed);
		for (int i = 0; i < organizations; i++) {
			add(tx, organization(i));
		}
		for (int i = 0; i < locations; i++) {
			add(tx, location(i));
		}
		for (int i = 0; i < practitioners; i++) {
			add(tx, practitioner(i, r));
		}
		return tx;
	}

	public int sharedCount() {
		return organizations + locations + practitioners;
	}

	/**
	 * Transactions of whole patients, about {@code resourcesPerTransaction} resources each, until the data set
	 * holds exactly {@link #size()} resources (the last patient may be cut short; its resources only point back).
	 */
	public List<Bundle> patientTransactions(int resourcesPerTransaction) {
		List<Bundle> out = new ArrayList<>();
		int remaining = size - sharedCount();
		Bundle current = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (int n = 0; remaining > 0; n++) {
			List<Resource> patient = patientResources(n);
			for (Resource res : patient.subList(0, Math.min(patient.size(), remaining))) {
				add(current, res);
			}
			remaining -= patient.size();
			if (current.getEntry().size() >= resourcesPerTransaction) {
				out.add(current);
				current = new Bundle().setType(Bundle.BundleType.TRANSACTION);
			}
		}
		if (!current.getEntry().isEmpty()) {
			out.add(current);
		}
		return out;
	}

	private static void add(Bundle tx, Resource res) {
		String url = res.fhirType() + "/" + res.getIdElement().getIdPart();
		tx.addEntry().setFullUrl(url).setResource(res).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(url);
	}

	/** One patient's record: the patient, then per encounter its observations, reports, care and billing. */
	List<Resource> patientResources(int n) {
		Random r = new Random(seed * 1_000_003L + n);
		List<Resource> out = new ArrayList<>();
		String pid = prefix + "pat-" + n;
		Patient patient = patient(n, pid, r);
		out.add(patient);
		String practitioner = "Practitioner/" + prefix + "prac-" + r.nextInt(practitioners);
		String org = "Organization/" + prefix + "org-" + r.nextInt(organizations);
		String location = "Location/" + prefix + "loc-" + r.nextInt(locations);
		// Synthea: ~2% patients, ~10% encounters, ~40% observations
		int encounters = 3 + r.nextInt(5);
		for (int e = 0; e < encounters; e++) {
			String eid = pid + "-enc-" + e;
			String day = String.format("%d-%02d-%02d", 2012 + e + r.nextInt(2), 1 + r.nextInt(12), 1 + r.nextInt(28));
			out.add(encounter(eid, pid, practitioner, org, location, day, r));
			List<String> obsIds = new ArrayList<>();
			int obsCount = 2 + r.nextInt(5);
			for (int o = 0; o < obsCount; o++) {
				Observation obs = observation(eid + "-obs-" + o, pid, eid, practitioner, day, r);
				obsIds.add(obs.getIdElement().getIdPart());
				out.add(obs);
			}
			if (r.nextInt(10) < 6) {
				out.add(report(eid + "-dr", pid, eid, practitioner, org, day, obsIds, r));
			}
			String conditionId = null;
			if (r.nextInt(10) < 4) {
				conditionId = eid + "-cond";
				out.add(condition(conditionId, pid, eid, day, r));
			}
			if (r.nextInt(10) < 8) {
				out.add(procedure(eid + "-proc", pid, eid, practitioner, location, day, conditionId, r));
			}
			String medId = null;
			if (r.nextInt(10) < 6) {
				medId = eid + "-med";
				out.add(medication(medId, pid, eid, practitioner, day, conditionId, r));
			}
			if (r.nextInt(10) < 3) {
				out.add(immunization(eid + "-imm", pid, eid, practitioner, location, day, r));
			}
			if (r.nextInt(10) < 9) {
				Claim claim = claim(eid + "-claim", pid, eid, practitioner, org, day, conditionId, medId, r);
				out.add(claim);
				out.add(eob(eid + "-eob", pid, eid, practitioner, org, day, claim, r));
			}
		}
		// exports such as Synthea's carry a generated narrative on every clinical resource
		for (Resource res : out) {
			if (res instanceof DomainResource dr && !dr.hasText()) {
				dr.setText(narrative(dr, r));
			}
		}
		return out;
	}

	private static final String[] NOTES = {
		"Reviewed with the patient during the visit.", "No acute distress noted.", "Follow up in three months.",
		"Patient counseled on diet and exercise.", "Results communicated by phone.", "Recorded by the attending clinician.",
	};

	private static Narrative narrative(DomainResource res, Random r) {
		Narrative text = new Narrative().setStatus(Narrative.NarrativeStatus.GENERATED);
		text.setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>" + res.fhirType() + "</b> "
				+ res.getIdElement().getIdPart() + "</p><p>" + NOTES[r.nextInt(NOTES.length)] + " "
				+ NOTES[r.nextInt(NOTES.length)] + "</p></div>");
		return text;
	}

	private Organization organization(int i) {
		Organization o = new Organization();
		o.setId(prefix + "org-" + i);
		o.addIdentifier(new Identifier().setSystem("https://github.com/synthetichealth/synthea").setValue("org-" + i));
		o.setActive(true);
		o.addType(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/organization-type", "prov", "Healthcare Provider")));
		String[] city = CITIES[i % CITIES.length];
		o.setName(city[0] + " General Hospital " + i);
		o.addTelecom(new ContactPoint().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue("617-555-" + (1000 + i)));
		o.addAddress(address(i, city));
		return o;
	}

	private Location location(int i) {
		Location l = new Location();
		l.setId(prefix + "loc-" + i);
		String[] city = CITIES[i % CITIES.length];
		l.setStatus(Location.LocationStatus.ACTIVE);
		l.setName(city[0] + " Clinic " + i);
		l.setAddress(address(i, city));
		l.setManagingOrganization(new Reference("Organization/" + prefix + "org-" + (i % organizations)));
		l.getPosition().setLatitude(42.3 + i * 0.01).setLongitude(-71.05 - i * 0.01);
		return l;
	}

	private Practitioner practitioner(int i, Random r) {
		Practitioner p = new Practitioner();
		p.setId(prefix + "prac-" + i);
		p.addIdentifier(new Identifier().setSystem(NPI).setValue(String.valueOf(9_999_000_000L + i)));
		p.setActive(true);
		boolean female = r.nextBoolean();
		p.addName().setFamily(FAMILY[r.nextInt(FAMILY.length)]).addGiven(female ? GIVEN_F[r.nextInt(10)] : GIVEN_M[r.nextInt(10)]).addPrefix("Dr.");
		p.setGender(female ? AdministrativeGender.FEMALE : AdministrativeGender.MALE);
		p.addTelecom(new ContactPoint().setSystem(ContactPoint.ContactPointSystem.EMAIL).setValue("dr" + i + "@example.org"));
		p.addAddress(address(i, CITIES[i % CITIES.length]));
		return p;
	}

	private static Address address(int i, String[] city) {
		return new Address().setUse(Address.AddressUse.WORK).addLine((100 + i * 7) + " " + STREETS[i % STREETS.length])
				.setCity(city[0]).setState(city[1]).setPostalCode(city[2]).setCountry("US");
	}

	private Patient patient(int n, String pid, Random r) {
		Patient p = new Patient();
		p.setId(pid);
		p.getMeta().addProfile("http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient");
		boolean female = r.nextBoolean();
		String given = female ? GIVEN_F[r.nextInt(GIVEN_F.length)] : GIVEN_M[r.nextInt(GIVEN_M.length)];
		String family = FAMILY[r.nextInt(FAMILY.length)];
		Narrative text = new Narrative().setStatus(Narrative.NarrativeStatus.GENERATED);
		text.setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\">Generated by the benchmark: " + given + " " + family + "</div>");
		p.setText(text);
		p.addIdentifier(new Identifier().setSystem("https://github.com/synthetichealth/synthea").setValue(pid));
		p.addIdentifier(new Identifier().setSystem(MRN).setValue(String.format("MRN-%08d", n))
				.setType(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "Medical Record Number"))));
		p.addIdentifier(new Identifier().setSystem(SSN).setValue(String.format("999-%02d-%04d", r.nextInt(100), r.nextInt(10000))));
		p.addName().setUse(HumanName.NameUse.OFFICIAL).setFamily(family).addGiven(given).addPrefix(female ? "Mrs." : "Mr.");
		p.addTelecom(new ContactPoint().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue(String.format("555-%03d-%04d", r.nextInt(1000), r.nextInt(10000))).setUse(ContactPoint.ContactPointUse.HOME));
		p.setGender(female ? AdministrativeGender.FEMALE : AdministrativeGender.MALE);
		p.setBirthDateElement(new DateType(String.format("%d-%02d-%02d", 1935 + r.nextInt(70), 1 + r.nextInt(12), 1 + r.nextInt(28))));
		String[] city = CITIES[r.nextInt(CITIES.length)];
		Address home = new Address().setUse(Address.AddressUse.HOME).addLine((1 + r.nextInt(999)) + " " + STREETS[r.nextInt(STREETS.length)])
				.setCity(city[0]).setState(city[1]).setPostalCode(city[2]).setCountry("US");
		org.hl7.fhir.r4.model.Extension geo = home.addExtension().setUrl("http://hl7.org/fhir/StructureDefinition/geolocation");
		geo.addExtension("latitude", new org.hl7.fhir.r4.model.DecimalType(BigDecimal.valueOf(42 + r.nextInt(1000) / 1000.0)));
		geo.addExtension("longitude", new org.hl7.fhir.r4.model.DecimalType(BigDecimal.valueOf(-71 - r.nextInt(1000) / 1000.0)));
		p.addAddress(home);
		p.setMaritalStatus(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", r.nextBoolean() ? "M" : "S", null)));
		p.addCommunication().setLanguage(new CodeableConcept(new Coding("urn:ietf:bcp:47", "en-US", "English")));
		return p;
	}

	private Encounter encounter(String eid, String pid, String practitioner, String org, String location, String day, Random r) {
		String[] type = ENCOUNTER_TYPES[r.nextInt(ENCOUNTER_TYPES.length)];
		Encounter e = new Encounter();
		e.setId(eid);
		e.addIdentifier(new Identifier().setSystem("https://github.com/synthetichealth/synthea").setValue(eid));
		e.setStatus(Encounter.EncounterStatus.FINISHED);
		e.setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", type[2], null));
		e.addType(new CodeableConcept(new Coding(SNOMED, type[0], type[1])).setText(type[1]));
		e.setSubject(new Reference("Patient/" + pid));
		e.addParticipant().setIndividual(new Reference(practitioner))
				.addType(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "PPRF", "primary performer")));
		int hour = 8 + r.nextInt(9);
		e.setPeriod(new Period().setStartElement(new DateTimeType(day + "T" + two(hour) + ":00:00Z"))
				.setEndElement(new DateTimeType(day + "T" + two(hour) + ":45:00Z")));
		e.addLocation().setLocation(new Reference(location));
		e.setServiceProvider(new Reference(org));
		return e;
	}

	private Observation observation(String id, String pid, String eid, String practitioner, String day, Random r) {
		Object[] def = OBSERVATIONS[r.nextInt(OBSERVATIONS.length)];
		String code = (String) def[0];
		String display = (String) def[1];
		Observation o = new Observation();
		o.setId(id);
		o.getMeta().addProfile("http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-lab");
		o.setStatus(Observation.ObservationStatus.FINAL);
		String category = (String) def[6];
		o.addCategory(new CodeableConcept(new Coding(OBS_CATEGORY, category, category.substring(0, 1).toUpperCase() + category.substring(1))));
		o.setCode(new CodeableConcept(new Coding(LOINC, code, display)).setText(display));
		o.setSubject(new Reference("Patient/" + pid));
		o.setEncounter(new Reference("Encounter/" + eid));
		o.addPerformer(new Reference(practitioner));
		o.setEffective(new DateTimeType(day + "T" + two(8 + r.nextInt(9)) + ":" + two(r.nextInt(60)) + ":00Z"));
		o.setIssuedElement(new org.hl7.fhir.r4.model.InstantType(day + "T18:00:00.000Z"));
		if (code.equals("72166-2")) {
			String[] s = SMOKING[r.nextInt(SMOKING.length)];
			o.setValue(new CodeableConcept(new Coding(SNOMED, s[0], s[1])).setText(s[1]));
		} else if (code.equals("85354-9")) {
			o.addComponent().setCode(new CodeableConcept(new Coding(LOINC, "8462-4", "Diastolic Blood Pressure")))
					.setValue(quantity(60 + r.nextInt(35), "mm[Hg]"));
			o.addComponent().setCode(new CodeableConcept(new Coding(LOINC, "8480-6", "Systolic Blood Pressure")))
					.setValue(quantity(100 + r.nextInt(60), "mm[Hg]"));
		} else {
			int low = (Integer) def[3];
			int high = (Integer) def[4];
			BigDecimal value = BigDecimal.valueOf(low + r.nextDouble() * (high - low)).setScale((Integer) def[5], RoundingMode.HALF_UP);
			o.setValue(quantity(value, (String) def[2]));
			Observation.ObservationReferenceRangeComponent range = o.addReferenceRange();
			range.setLow(quantity(BigDecimal.valueOf(low), (String) def[2])).setHigh(quantity(BigDecimal.valueOf(high), (String) def[2]));
			boolean highValue = value.doubleValue() > low + 0.8 * (high - low);
			o.addInterpretation(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
					highValue ? "H" : "N", highValue ? "High" : "Normal")));
		}
		return o;
	}

	private static Quantity quantity(int value, String unit) {
		return quantity(BigDecimal.valueOf(value), unit);
	}

	private static Quantity quantity(BigDecimal value, String unit) {
		return new Quantity().setValue(value).setUnit(unit).setSystem(UCUM).setCode(unit);
	}

	private DiagnosticReport report(String id, String pid, String eid, String practitioner, String org, String day,
			List<String> obsIds, Random r) {
		DiagnosticReport d = new DiagnosticReport();
		d.setId(id);
		d.setStatus(DiagnosticReport.DiagnosticReportStatus.FINAL);
		d.addCategory(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory")));
		d.setCode(new CodeableConcept(new Coding(LOINC, r.nextBoolean() ? "51990-0" : "57698-3",
				"Basic metabolic panel - Blood")).setText("Basic metabolic panel"));
		d.setSubject(new Reference("Patient/" + pid));
		d.setEncounter(new Reference("Encounter/" + eid));
		d.setEffective(new DateTimeType(day + "T10:00:00Z"));
		d.setIssuedElement(new org.hl7.fhir.r4.model.InstantType(day + "T18:00:00.000Z"));
		d.addPerformer(new Reference(org));
		d.addResultsInterpreter(new Reference(practitioner));
		obsIds.forEach(o -> d.addResult(new Reference("Observation/" + o)));
		d.setConclusion("Results reviewed with the patient; no acute findings.");
		return d;
	}

	private Condition condition(String id, String pid, String eid, String day, Random r) {
		String[] c = CONDITIONS[r.nextInt(CONDITIONS.length)];
		Condition cond = new Condition();
		cond.setId(id);
		cond.setClinicalStatus(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/condition-clinical",
				r.nextBoolean() ? "active" : "resolved", null)));
		cond.setVerificationStatus(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", null)));
		cond.addCategory(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis", "Encounter Diagnosis")));
		cond.setCode(new CodeableConcept(new Coding(SNOMED, c[0], c[1])).setText(c[1]));
		cond.setSubject(new Reference("Patient/" + pid));
		cond.setEncounter(new Reference("Encounter/" + eid));
		cond.setOnset(new DateTimeType(day + "T09:30:00Z"));
		cond.setRecordedDateElement(new DateTimeType(day + "T09:30:00Z"));
		cond.addNote(new Annotation(new org.hl7.fhir.r4.model.MarkdownType("Patient reports symptoms for " + (1 + r.nextInt(14)) + " days.")));
		return cond;
	}

	private Procedure procedure(String id, String pid, String eid, String practitioner, String location, String day,
			String conditionId, Random r) {
		String[] p = PROCEDURES[r.nextInt(PROCEDURES.length)];
		Procedure proc = new Procedure();
		proc.setId(id);
		proc.setStatus(Procedure.ProcedureStatus.COMPLETED);
		proc.setCode(new CodeableConcept(new Coding(SNOMED, p[0], p[1])).setText(p[1]));
		proc.setSubject(new Reference("Patient/" + pid));
		proc.setEncounter(new Reference("Encounter/" + eid));
		proc.setPerformed(new Period().setStartElement(new DateTimeType(day + "T11:00:00Z")).setEndElement(new DateTimeType(day + "T11:15:00Z")));
		proc.addPerformer().setActor(new Reference(practitioner));
		proc.setLocation(new Reference(location));
		if (conditionId != null) {
			proc.addReasonReference(new Reference("Condition/" + conditionId));
		}
		return proc;
	}

	private MedicationRequest medication(String id, String pid, String eid, String practitioner, String day,
			String conditionId, Random r) {
		String[] m = MEDICATIONS[r.nextInt(MEDICATIONS.length)];
		MedicationRequest mr = new MedicationRequest();
		mr.setId(id);
		mr.setStatus(r.nextBoolean() ? MedicationRequest.MedicationRequestStatus.ACTIVE : MedicationRequest.MedicationRequestStatus.STOPPED);
		mr.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
		mr.addCategory(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/medicationrequest-category", "community", "Community")));
		mr.setMedication(new CodeableConcept(new Coding(RXNORM, m[0], m[1])).setText(m[1]));
		mr.setSubject(new Reference("Patient/" + pid));
		mr.setEncounter(new Reference("Encounter/" + eid));
		mr.setAuthoredOnElement(new DateTimeType(day + "T11:30:00Z"));
		mr.setRequester(new Reference(practitioner));
		if (conditionId != null) {
			mr.addReasonReference(new Reference("Condition/" + conditionId));
		}
		Dosage dosage = mr.addDosageInstruction().setSequence(1).setText("Take one tablet by mouth daily");
		dosage.getTiming().getRepeat().setFrequency(1).setPeriod(1).setPeriodUnit(org.hl7.fhir.r4.model.Timing.UnitsOfTime.D);
		dosage.addDoseAndRate().setDose(new Quantity().setValue(1).setUnit("tablet"));
		return mr;
	}

	private Immunization immunization(String id, String pid, String eid, String practitioner, String location, String day, Random r) {
		String[] v = VACCINES[r.nextInt(VACCINES.length)];
		Immunization im = new Immunization();
		im.setId(id);
		im.setStatus(Immunization.ImmunizationStatus.COMPLETED);
		im.setVaccineCode(new CodeableConcept(new Coding(CVX, v[0], v[1])).setText(v[1]));
		im.setPatient(new Reference("Patient/" + pid));
		im.setEncounter(new Reference("Encounter/" + eid));
		im.setOccurrence(new DateTimeType(day + "T10:30:00Z"));
		im.setPrimarySource(true);
		im.setLocation(new Reference(location));
		im.setLotNumber("LOT" + r.nextInt(100000));
		im.addPerformer().setActor(new Reference(practitioner));
		return im;
	}

	private Claim claim(String id, String pid, String eid, String practitioner, String org, String day,
			String conditionId, String medId, Random r) {
		Claim c = new Claim();
		c.setId(id);
		c.setStatus(Claim.ClaimStatus.ACTIVE);
		c.setType(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/claim-type",
				medId != null ? "pharmacy" : "institutional", null)));
		c.setUse(Claim.Use.CLAIM);
		c.setPatient(new Reference("Patient/" + pid));
		c.setBillablePeriod(new Period().setStartElement(new DateTimeType(day + "T08:00:00Z")).setEndElement(new DateTimeType(day + "T12:00:00Z")));
		c.setCreatedElement(new DateTimeType(day + "T12:00:00Z"));
		c.setProvider(new Reference(org));
		c.setPriority(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/processpriority", "normal", null)));
		c.addInsurance().setSequence(1).setFocal(true).setCoverage(new Reference().setDisplay(r.nextBoolean() ? "Medicare" : "Blue Cross Blue Shield"));
		c.addCareTeam().setSequence(1).setProvider(new Reference(practitioner));
		if (conditionId != null) {
			c.addDiagnosis().setSequence(1).setDiagnosis(new Reference("Condition/" + conditionId));
		}
		if (medId != null) {
			c.setPrescription(new Reference("MedicationRequest/" + medId));
		}
		int items = 1 + r.nextInt(3);
		BigDecimal total = BigDecimal.ZERO;
		for (int i = 1; i <= items; i++) {
			BigDecimal price = BigDecimal.valueOf(50 + r.nextInt(900)).setScale(2, RoundingMode.UNNECESSARY);
			total = total.add(price);
			c.addItem().setSequence(i)
					.setProductOrService(new CodeableConcept(new Coding(SNOMED, PROCEDURES[r.nextInt(PROCEDURES.length)][0], null)))
					.addEncounter(new Reference("Encounter/" + eid))
					.setNet(new Money().setValue(price).setCurrency("USD"));
		}
		c.setTotal(new Money().setValue(total).setCurrency("USD"));
		return c;
	}

	private ExplanationOfBenefit eob(String id, String pid, String eid, String practitioner, String org, String day,
			Claim claim, Random r) {
		ExplanationOfBenefit e = new ExplanationOfBenefit();
		e.setId(id);
		e.addIdentifier(new Identifier().setSystem("https://bluebutton.cms.gov/resources/variables/clm_id").setValue(id));
		e.setStatus(ExplanationOfBenefit.ExplanationOfBenefitStatus.ACTIVE);
		e.setType(claim.getType());
		e.setUse(ExplanationOfBenefit.Use.CLAIM);
		e.setPatient(new Reference("Patient/" + pid));
		e.setBillablePeriod(claim.getBillablePeriod());
		e.setCreatedElement(new DateTimeType(day + "T12:00:00Z"));
		e.setInsurer(new Reference().setDisplay("Medicare"));
		e.setProvider(new Reference(practitioner));
		e.setClaim(new Reference("Claim/" + claim.getIdElement().getIdPart()));
		e.setOutcome(ExplanationOfBenefit.RemittanceOutcome.COMPLETE);
		e.addCareTeam().setSequence(1).setProvider(new Reference(practitioner))
				.setRole(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/claimcareteamrole", "primary", "Primary Care Practitioner")));
		e.addInsurance().setFocal(true).setCoverage(new Reference().setDisplay("Medicare"));
		for (Claim.ItemComponent item : claim.getItem()) {
			ExplanationOfBenefit.ItemComponent ei = e.addItem().setSequence(item.getSequence())
					.setProductOrService(item.getProductOrService())
					.setServiced(new DateType(day))
					.addEncounter(new Reference("Encounter/" + eid))
					.setNet(item.getNet());
			ei.setLocation(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/ex-serviceplace", "19", "Off Campus-Outpatient Hospital")));
			BigDecimal net = item.getNet().getValue();
			ei.addAdjudication().setCategory(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/adjudication", "eligible", null)))
					.setAmount(new Money().setValue(net).setCurrency("USD"));
			ei.addAdjudication().setCategory(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/adjudication", "benefit", null)))
					.setAmount(new Money().setValue(net.multiply(BigDecimal.valueOf(0.8)).setScale(2, RoundingMode.HALF_UP)).setCurrency("USD"));
		}
		e.addTotal().setCategory(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/adjudication", "submitted", null)))
				.setAmount(claim.getTotal());
		e.getPayment().setAmount(new Money().setValue(claim.getTotal().getValue().multiply(BigDecimal.valueOf(0.8)).setScale(2, RoundingMode.HALF_UP)).setCurrency("USD"));
		e.addContained(new Coverage().setStatus(Coverage.CoverageStatus.ACTIVE)
				.setBeneficiary(new Reference("Patient/" + pid)).setId("coverage"));
		e.getInsuranceFirstRep().setCoverage(new Reference("#coverage"));
		e.addExtension("http://example.org/fhir/StructureDefinition/claim-note", new StringType("Synthetic billing record " + r.nextInt(1_000_000)));
		return e;
	}

	private static String two(int n) {
		return n < 10 ? "0" + n : String.valueOf(n);
	}
}
