import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { CommandError } from "../commands/commandError.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Opens the HTML report in headless Chromium, waits for the chart, saves a screenshot, and
 * returns how much of the chart's canvas is painted: a blank canvas means the chart failed.
 */
export async function screenshotReport(htmlPath: string, pngPath: string): Promise<{ paintedShare: number }> {
  if (!existsSync(CHROMIUM)) {
    throw new CommandError(`no Chromium at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(pathToFileURL(htmlPath).href);
    await page.waitForSelector("body[data-chart=drawn]", { timeout: 10_000 });
    await page.screenshot({ path: pngPath, fullPage: true });
    const paintedShare = await page.evaluate(() => {
      const canvas = document.getElementById("chart") as HTMLCanvasElement;
      const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0;
      for (let index = 3; index < data.length; index += 4) if (data[index]! > 0) painted += 1;
      return painted / (data.length / 4);
    });
    return { paintedShare };
  } finally {
    await browser.close();
  }
}
