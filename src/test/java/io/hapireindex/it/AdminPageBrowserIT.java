package io.hapireindex.it;

import ca.uhn.fhir.batch2.api.IJobPersistence;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import io.hapireindex.job.ReindexJob;
import io.hapireindex.status.JobProgressStore;
import io.hapireindex.testhost.HapiTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin page in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) against the
 * real test server with HAPI's AuthorizationInterceptor: the operator pastes a token, starts jobs from the form,
 * watches them, cancels, restarts and retries. Screenshots of each view go to {@code target/admin-screenshots/}.
 */
@SpringBootTest(
		classes = HapiTestServer.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "test.authorization=true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminPageBrowserIT extends HapiServerTestBase {

	static final Path SCREENSHOTS = Path.of("target", "admin-screenshots");
	private static final Path DOWNLOADS = Path.of("target", "admin-downloads");
	private static final String CHROMIUM = "/usr/bin/chromium";
	private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
	private static ChromeDriver driver;
	private static Path profile;

	@Autowired
	private JobProgressStore progressStore;

	@Autowired
	private IJobPersistence jobPersistence;

	@Autowired
	private PlatformTransactionManager transactionManager;

	@BeforeAll
	static void startBrowser() throws IOException {
		assertThat(new File(CHROMIUM)).as("Debian package chromium (.ci/run installs it)").exists();
		assertThat(new File(CHROMEDRIVER)).as("Debian package chromium-driver (.ci/run installs it)").exists();
		// the machine is offline: name the driver so Selenium Manager never tries to download one
		System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
		profile = Files.createTempDirectory("hfr-admin-chromium");
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM);
		options.addArguments(
				"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,1000", "--lang=en-US");
		Files.createDirectories(DOWNLOADS);
		options.setExperimentalOption("prefs", Map.of(
				"download.default_directory", DOWNLOADS.toAbsolutePath().toString(),
				"download.prompt_for_download", false));
		ChromeDriverService service = new ChromeDriverService.Builder()
				.usingDriverExecutable(new File(CHROMEDRIVER))
				.usingAnyFreePort()
				.build();
		driver = new ChromeDriver(service, options);
		driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
		Files.createDirectories(SCREENSHOTS);
	}

	@AfterAll
	static void stopBrowser() throws IOException {
		if (driver != null) {
			driver.quit();
		}
		if (profile != null) {
			try (var files = Files.walk(profile)) {
				files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
			}
		}
	}

	@BeforeEach
	void adminClient() {
		client.registerInterceptor(new BearerTokenAuthInterceptor("admin"));
		driver.manage().window().setSize(new Dimension(1280, 1000));
	}

	private String pageUrl() {
		return baseUrl() + "/reindex-admin/";
	}

	@Test
	@Order(1)
	void withoutATokenThePageSaysTheServerRefusedAndAfterPastingOneListsJobs() {
		driver.get(pageUrl());
		driver.executeScript("sessionStorage.clear()");
		driver.navigate().refresh();
		WebElement notice = waitVisible(By.id("notice"));
		assertThat(notice.getText()).contains("403").containsIgnoringCase("denied");
		screenshot("no-token");

		driver.findElement(By.id("token")).sendKeys("admin");
		driver.findElement(By.id("token-save")).click();
		wait(10).until(d -> !d.findElement(By.id("notice")).isDisplayed());
		wait(10).until(d -> d.findElement(By.id("page-info")).getText().startsWith("Page 1 of"));
		assertThat(driver.findElement(By.id("filter-type")).getText()).contains(ReindexJob.JOB_DEFINITION_ID, "REINDEX");
	}

	@Test
	@Order(2)
	void aJobStartedFromTheFormMovesItsProgressBarToCompleted() {
		String family = unique("Browser");
		createPatients(family, "Browser", 40);
		String jobId = startFromForm(Map.of(
				"url", "Patient?family=" + family,
				"maximumNumberOfResourcesPerQuery", "5",
				"maximumConcurrency", "1",
				"queryDelayIntervalInMilliseconds", "250"));
		screenshot("start-form-started");
		driver.findElement(By.id("started-job-link")).click();
		waitDetailOf(jobId);

		TreeSet<Double> seen = new TreeSet<>();
		long deadline = System.currentTimeMillis() + 90_000;
		while (!statusText().equals("Completed")) {
			assertThat(System.currentTimeMillis()).as("job %s completes; progress seen %s", jobId, seen).isLessThan(deadline);
			seen.add(progressValue());
			JobApi.sleep(100);
		}
		seen.add(progressValue());
		assertThat(seen.last()).isEqualTo(100.0);
		assertThat(seen.subSet(0.0, false, 100.0, false)).as("the bar moved through values between 0 and 100").isNotEmpty();
		wait(10).until(d -> tableText("by-type").contains("Patient"));
		assertThat(tableText("by-type")).contains("40");
		wait(10).until(d -> d.findElement(By.id("throughput")).findElements(By.tagName("polyline")).size() == 1);
		assertThat(driver.findElement(By.id("detail-summary")).getText()).contains("40 / 40");
		screenshot("job-detail-completed", 1600);

		driver.findElement(By.linkText("← All jobs")).click();
		WebElement row = wait(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-job-id='" + jobId + "']")));
		assertThat(row.findElement(By.cssSelector("td.status")).getText()).isEqualTo("Completed");
		assertThat(row.getText()).contains("40 / 40");
	}

	@Test
	@Order(3)
	void aFormErrorFromTheServerIsShownNextToItsField() {
		driver.get(pageUrl() + "#/start");
		int jobs = moduleJobCount();
		WebElement field = waitVisible(By.id("f-maximumConcurrency"));
		driver.findElements(By.cssSelector("#start-form input, #start-form textarea")).forEach(WebElement::clear);
		field.sendKeys("50");
		submitAndConfirm();
		WebElement error = wait(10).until(d -> {
			WebElement e = d.findElement(By.id("err-maximumConcurrency"));
			return e.getText().isBlank() ? null : e;
		});
		assertThat(error.getText()).isEqualTo("Parameter 'maximumConcurrency': 50 is out of range 1..10");
		assertThat(field.getDomAttribute("aria-invalid")).isEqualTo("true");
		assertThat(field.getDomAttribute("aria-describedby")).isEqualTo("err-maximumConcurrency");
		assertThat(driver.switchTo().activeElement().getDomAttribute("id")).as("focus on the field").isEqualTo("f-maximumConcurrency");
		screenshot("start-form-error", 1500);
		assertThat(moduleJobCount()).as("no job").isEqualTo(jobs);

		// keyboard only: Enter on the button opens the confirmation with focus on its Cancel, Escape closes it
		field.clear();
		driver.findElement(By.id("start-submit")).sendKeys(Keys.ENTER);
		wait(10).until(d -> d.findElement(By.id("confirm")).isDisplayed());
		assertThat(driver.switchTo().activeElement().getDomAttribute("id")).isEqualTo("confirm-no");
		driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
		wait(10).until(d -> !d.findElement(By.id("confirm")).isDisplayed());
		assertThat(moduleJobCount()).as("no job after Escape").isEqualTo(jobs);

		// every control on the page has a label a screen reader can read
		Object unlabelled = driver.executeScript("return Array.from(document.querySelectorAll("
				+ "'input, select, textarea, button, progress')).filter(e => !(e.labels && e.labels.length)"
				+ " && !e.getAttribute('aria-label') && !e.textContent.trim()).map(e => e.id || e.outerHTML);");
		assertThat((List<?>) unlabelled).isEmpty();
	}

	@Test
	@Order(4)
	void aLongJobIsCancelledThenRestartedToCompletion() {
		String family = unique("Long");
		createPatients(family, "Long", 24);
		String jobId = startFromForm(Map.of(
				"url", "Patient?family=" + family,
				"batchSize", "2",
				"maximumConcurrency", "1",
				"queryDelayIntervalInMilliseconds", "500"));
		driver.get(pageUrl() + "#/job/" + jobId);
		waitDetailOf(jobId);
		wait(30).until(d -> progressValue() > 0);
		assertThat(statusText()).isEqualTo("Running");

		driver.findElement(By.id("btn-cancel")).click();
		confirm();
		wait(10).until(d -> d.findElement(By.id("action-answer")).getText().startsWith("Cancel requested"));
		wait(30).until(d -> statusText().equals("Canceled") && d.findElement(By.id("btn-restart")).isEnabled());
		double atCancel = progressValue();
		assertThat(atCancel).isLessThan(100.0);
		assertThat(driver.findElement(By.id("btn-cancel")).isEnabled()).isFalse();
		screenshot("job-detail-canceled", 1400);

		driver.findElement(By.id("btn-restart")).click();
		confirm();
		WebElement link = wait(15).until(ExpectedConditions.elementToBeClickable(By.id("new-job-link")));
		assertThat(driver.findElement(By.id("action-answer")).getText()).startsWith("Restarted: the server started job");
		link.click();
		String restartId = driver.getCurrentUrl().substring(driver.getCurrentUrl().lastIndexOf('/') + 1);
		assertThat(restartId).isNotEqualTo(jobId);
		waitDetailOf(restartId);
		assertThat(driver.findElement(By.id("detail-summary")).getText()).contains("Restart of", jobId);
		wait(90).until(d -> statusText().equals("Completed"));
		// a search-URL scope that did not finish is restarted in full (the contract's $restart; reindex is idempotent)
		assertThat(summaryValue("Resources")).isEqualTo("24 / 24");
	}

	@Test
	@Order(5)
	void aFailedResourceIsListedAsTextAndRetriedAlone() throws IOException {
		String family = unique("BrowserBroken");
		List<String> ids = createPatients(family, "Broken", 4);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		long pid = db.pid("Patient", ids.get(2));
		String good = jdbc.queryForObject("SELECT RES_TEXT_VC FROM HFJ_RES_VER WHERE RES_ID = ?", String.class, pid);
		jdbc.update("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ? WHERE RES_ID = ?", "{\"resourceType\":\"Patient\",", pid);
		try {
			String jobId = startFromForm(Map.of("url", "Patient?family=" + family));
			driver.get(pageUrl() + "#/job/" + jobId);
			waitDetailOf(jobId);
			wait(60).until(d -> statusText().equals("Failed"));
			// a message with markup, as a resource's own data could put into an error: shown as text, never parsed
			progressStore.addError(jobId, null, "<img src=x id=injected onerror=\"document.title='pwned'\"> <b>bold</b>");
			driver.navigate().refresh();
			waitDetailOf(jobId);
			wait(10).until(d -> tableText("errors-table").contains("Patient/" + ids.get(2)));
			assertThat(tableText("errors-table")).contains("Failed to parse", "<img src=x id=injected");
			assertThat(driver.findElements(By.id("injected"))).isEmpty();
			assertThat(driver.findElement(By.id("errors-table")).findElements(By.tagName("b"))).isEmpty();
			assertThat(driver.getTitle()).doesNotContain("pwned");
			screenshot("job-detail-failed", 1700);
			// the download goes through fetch with the token: a plain link would get the server's 403
			Path csv = DOWNLOADS.resolve("job-" + jobId + "-failed-resources.csv");
			Files.deleteIfExists(csv);
			driver.findElement(By.id("dl-csv")).click();
			wait(15).until(d -> Files.exists(csv));
			assertThat(Files.readString(csv)).startsWith("resource,message,time").contains("\"Patient/" + ids.get(2) + "\"");

			jdbc.update("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ? WHERE RES_ID = ?", good, pid);
			driver.findElement(By.id("btn-retry")).click();
			confirm();
			WebElement link = wait(15).until(ExpectedConditions.elementToBeClickable(By.id("new-job-link")));
			link.click();
			String retryId = driver.getCurrentUrl().substring(driver.getCurrentUrl().lastIndexOf('/') + 1);
			waitDetailOf(retryId);
			wait(60).until(d -> statusText().equals("Completed"));
			assertThat(summaryValue("Resources")).isEqualTo("1 / 1");
			assertThat(driver.findElement(By.id("detail-params")).getText()).contains("Patient/" + ids.get(2));
		} finally {
			jdbc.update("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ? WHERE RES_ID = ?", good, pid);
		}
	}

	/**
	 * A thousand jobs: the list is paged in the database, so a page costs the same with 1,000 jobs as with 10. The
	 * timings are printed and saved for the docs, not asserted (speed is the benchmark's business).
	 */
	@Test
	@Order(6)
	void aThousandJobsArePagedByTheServer() throws IOException {
		// the parameters of a real job of the module, so each copy reads as one
		String params = jobPersistence.fetchInstancesByJobDefinitionId(ReindexJob.JOB_DEFINITION_ID, 1, 0)
				.get(0).getParameters();
		TransactionTemplate tx = new TransactionTemplate(transactionManager);
		List<String> created = new ArrayList<>();
		long createStart = System.nanoTime();
		tx.executeWithoutResult(s -> {
			for (int i = 0; i < 1000; i++) {
				JobInstance instance = new JobInstance();
				instance.setJobDefinitionId(ReindexJob.JOB_DEFINITION_ID);
				instance.setJobDefinitionVersion(ReindexJob.JOB_DEFINITION_VERSION);
				instance.setStatus(StatusEnum.COMPLETED);
				instance.setParameters(params);
				instance.setTriggeringUsername("scale-test");
				created.add(jobPersistence.storeNewInstance(new SystemRequestDetails(), instance));
			}
		});
		long createMillis = (System.nanoTime() - createStart) / 1_000_000;
		try {
			AdminHttp http = new AdminHttp(pageUrl());
			Map<String, Long> timings = new LinkedHashMap<>();
			timings.put("create 1000 job instances (ms)", createMillis);
			// warm once, then time: the first call of a path also pays for class loading
			http.get("api/jobs?size=25", AdminApiIT.ADMIN);
			AdminHttp.Answer first = timed(timings, "GET api/jobs?size=25 first page (ms)", () -> http.get("api/jobs?size=25", AdminApiIT.ADMIN));
			long total = first.json().path("total").asLong();
			long pages = first.json().path("totalPages").asLong();
			assertThat(total).isGreaterThanOrEqualTo(1000);
			assertThat(first.json().path("jobs")).hasSize(25);
			AdminHttp.Answer last = timed(timings, "GET api/jobs?size=25 last page (ms)",
					() -> http.get("api/jobs?size=25&page=" + (pages - 1), AdminApiIT.ADMIN));
			assertThat(last.json().path("jobs").size()).isEqualTo((int) (total - (pages - 1) * 25));
			timed(timings, "GET api/jobs?size=200 (ms)", () -> http.get("api/jobs?size=200", AdminApiIT.ADMIN));
			timed(timings, "GET api/jobs?size=25&state=COMPLETED&type=module (ms)", () ->
					http.get("api/jobs?size=25&state=COMPLETED&type=" + ReindexJob.JOB_DEFINITION_ID, AdminApiIT.ADMIN));
			// the job API builds the full status of every job of the module before it cuts the page
			AdminHttp jobApi = new AdminHttp(baseUrl());
			AdminHttp.Answer jobList = timed(timings, "job API GET _operations/reindex?_count=25, for comparison (ms)",
					() -> jobApi.get("/_operations/reindex?_count=25", AdminApiIT.ADMIN));
			assertThat(jobList.status()).isEqualTo(200);

			driver.get(pageUrl() + "#/");
			driver.navigate().refresh();
			long renderStart = System.nanoTime();
			wait(30).until(d -> d.findElements(By.cssSelector("#jobs-body tr[data-job-id]")).size() == 25);
			timings.put("browser: open the list, 25 rows rendered (ms)", (System.nanoTime() - renderStart) / 1_000_000);
			WebElement info = driver.findElement(By.id("page-info"));
			assertThat(info.getText()).isEqualTo("Page 1 of " + pages + " (" + String.format(java.util.Locale.US, "%,d", total) + " jobs)");
			assertThat(driver.findElements(By.cssSelector("#jobs-body tr")).get(0).getText()).contains("scale-test");
			screenshot("job-list", 1000);

			new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("page-size"))).selectByVisibleText("100");
			long bigStart = System.nanoTime();
			wait(30).until(d -> d.findElements(By.cssSelector("#jobs-body tr[data-job-id]")).size() == 100);
			timings.put("browser: switch to 100 per page, 100 rows rendered (ms)", (System.nanoTime() - bigStart) / 1_000_000);
			String firstOnPage1 = driver.findElement(By.cssSelector("#jobs-body tr[data-job-id]")).getDomAttribute("data-job-id");
			driver.findElement(By.id("page-next")).click();
			wait(10).until(d -> d.findElement(By.id("page-info")).getText().startsWith("Page 2 of"));
			wait(10).until(d -> !firstOnPage1.equals(
					d.findElement(By.cssSelector("#jobs-body tr[data-job-id]")).getDomAttribute("data-job-id")));

			new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("page-size"))).selectByVisibleText("10");
			wait(10).until(d -> d.findElements(By.cssSelector("#jobs-body tr[data-job-id]")).size() == 10);
			driver.manage().window().setSize(new Dimension(390, 844));
			JobApi.sleep(300);
			screenshot("job-list-phone");

			StringBuilder report = new StringBuilder("Admin page with " + total + " batch2 jobs on the server\n");
			timings.forEach((k, v) -> report.append(k).append(": ").append(v).append('\n'));
			Files.writeString(SCREENSHOTS.resolve("thousand-jobs.txt"), report);
			System.out.println(report);
		} finally {
			tx.executeWithoutResult(s -> created.forEach(jobPersistence::deleteInstanceAndChunks));
		}
	}

	// ---------------------------------------------------------------- helpers

	private String startFromForm(Map<String, String> fields) {
		driver.get(pageUrl() + "#/start");
		waitVisible(By.id("start-form"));
		driver.findElements(By.cssSelector("#start-form input, #start-form textarea")).forEach(WebElement::clear);
		fields.forEach((name, value) -> {
			String fieldName = name.equals("batchSize") ? "maximumNumberOfResourcesPerQuery" : name;
			driver.findElement(By.id("f-" + fieldName)).sendKeys(value);
		});
		submitAndConfirm();
		WebElement link = wait(15).until(ExpectedConditions.elementToBeClickable(By.id("started-job-link")));
		String href = link.getDomAttribute("href");
		return href.substring(href.lastIndexOf('/') + 1);
	}

	private void submitAndConfirm() {
		driver.findElement(By.id("start-submit")).click();
		confirm();
	}

	private void confirm() {
		WebElement yes = wait(10).until(ExpectedConditions.elementToBeClickable(By.id("confirm-yes")));
		assertThat(driver.findElement(By.id("confirm-text")).getText()).isNotBlank();
		yes.click();
		wait(10).until(d -> !d.findElement(By.id("confirm")).isDisplayed());
	}

	private void waitDetailOf(String jobId) {
		wait(15).until(d -> d.findElement(By.id("detail-id")).getText().equals(jobId)
				&& !d.findElements(By.id("detail-status")).isEmpty());
	}

	/** Read in the page: the detail is re-rendered on every poll, so element references go stale. */
	private String statusText() {
		return (String) driver.executeScript(
				"const e = document.getElementById('detail-status'); return e ? e.textContent : '';");
	}

	private double progressValue() {
		return ((Number) driver.executeScript("return document.getElementById('detail-progress').value;")).doubleValue();
	}

	private String summaryValue(String label) {
		List<WebElement> terms = driver.findElements(By.cssSelector("#detail-summary dt"));
		List<WebElement> values = driver.findElements(By.cssSelector("#detail-summary dd"));
		for (int i = 0; i < terms.size(); i++) {
			if (terms.get(i).getText().equals(label)) {
				return values.get(i).getText();
			}
		}
		throw new AssertionError("no " + label + " in the summary");
	}

	private String tableText(String id) {
		return driver.findElement(By.id(id)).getText();
	}

	private WebElement waitVisible(By by) {
		return wait(15).until(ExpectedConditions.visibilityOfElementLocated(by));
	}

	private static WebDriverWait wait(int seconds) {
		WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(100));
		wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
		return wait;
	}

	private static <T> T timed(Map<String, Long> timings, String name, java.util.function.Supplier<T> call) {
		long start = System.nanoTime();
		T result = call.get();
		timings.put(name, (System.nanoTime() - start) / 1_000_000);
		return result;
	}

	private void screenshot(String name) {
		screenshot(name, 0);
	}

	/** @param height window height for a taller page, or 0 to keep the window as it is */
	private void screenshot(String name, int height) {
		if (height > 0) {
			driver.manage().window().setSize(new Dimension(1280, height));
			driver.executeScript("window.scrollTo(0, 0)");
			JobApi.sleep(200);
		}
		File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
		try {
			Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
		} catch (IOException e) {
			throw new IllegalStateException(e);
		}
		if (height > 0) {
			driver.manage().window().setSize(new Dimension(1280, 1000));
		}
	}

	private int moduleJobCount() {
		return jobPersistence.fetchInstancesByJobDefinitionId(ReindexJob.JOB_DEFINITION_ID, 10_000, 0).size();
	}
}
